#!/usr/bin/env bash
# Creates a virtual environment with Python HyperStream 0.3.8 under .cache/python-hyperstream/
# (git-ignored) for the comparison benchmark (bench/python/hyperstream_bench.py).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/../../.cache/python-hyperstream/venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
# --no-deps: hyperstream's own pins do not build on Python 3.11; requirements.txt lists working
# versions of everything it imports.
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$here/requirements.txt"
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
cp "$here/hyperstream_compat.py" "$site/"
echo 'import hyperstream_compat' >"$site/hyperstream_compat.pth"
"$venv/bin/python" -c "import hyperstream, pymongo, mongoengine; print('hyperstream', hyperstream.__version__, 'pymongo', pymongo.version, 'mongoengine', mongoengine.__version__)"
