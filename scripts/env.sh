# Sourced by quickstart.sh and test.sh: use (and create once) a project virtual environment
# in .venv and activate it, so installs also work where the system Python refuses system-wide
# pip installs, and `. .venv/bin/activate` afterwards puts `mdm2kg` on the PATH.
# With MDM2KG_NO_VENV=1 the current interpreter is used instead (install where you choose).
if [ "${MDM2KG_NO_VENV:-0}" != "1" ]; then
  if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      echo "error: 'python3 -m venv .venv' failed; install the venv module (Debian/Ubuntu: apt install python3-venv)," >&2
      echo "       or run with MDM2KG_NO_VENV=1 to install into the current Python environment." >&2
      exit 2
    fi
  fi
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
