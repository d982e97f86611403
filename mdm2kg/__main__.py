from mdm2kg.cli import main

main()
