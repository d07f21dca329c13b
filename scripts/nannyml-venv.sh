#!/bin/sh
# nannyml-venv.sh — make the Python environment the estimation tests compare against:
# NannyML 0.13.1 (CBPE, data reconstruction drift) with its own pandas and scikit-learn,
# kept apart from the system python3 the statistics tests use.
#   nannyml==0.13.1  the reference implementation (scripts/nannyml_reference.py)
#   statsmodels      nannyml imports it without declaring it as a dependency
# Where: $MLOPSD_NANNYML_VENV, default ~/.cache/mlopsd/nannyml-venv (the tests look there).
# Idempotent: does nothing when the environment already imports nannyml 0.13.1.
# Needs python3 with the venv module (Debian: python3-venv) and network access to PyPI.
set -eu
venv="${MLOPSD_NANNYML_VENV:-$HOME/.cache/mlopsd/nannyml-venv}"
check='import nannyml, statsmodels, sys; sys.exit(0 if nannyml.__version__ == "0.13.1" else 1)'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
    echo "nannyml-venv: ready ($venv)"
    exit 0
fi
echo "nannyml-venv: installing nannyml 0.13.1 into $venv"
mkdir -p "$(dirname "$venv")"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -q "nannyml==0.13.1" statsmodels
"$venv/bin/python" -c "$check"
echo "nannyml-venv: ready ($venv)"
