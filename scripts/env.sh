# Sourced by quickstart.sh and test.sh: use (and create once) a project virtual environment
# in .venv, so installs also work where the system Python refuses system-wide pip installs.
# Where `python3 -m venv` is unavailable, or with MDM2KG_NO_VENV=1, the current interpreter is used.
if [ "${MDM2KG_NO_VENV:-0}" != "1" ]; then
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv >/dev/null 2>&1 || rm -rf .venv
  fi
  if [ -x .venv/bin/python ]; then
    # shellcheck disable=SC1091
    . .venv/bin/activate
  fi
fi
