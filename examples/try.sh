#!/bin/sh
# Try qualitygate on a real change to a small layered shop: the base commit is
# examples/shop/base, the change on top of it is examples/shop/change. Runs in a
# temporary folder, removed afterwards; exits with qualitygate's own code.
set -eu
python="${PYTHON:-python3}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/qualitygate-try.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$here/shop/base/." "$work"
cd "$work"
git init -q
git add -A
git -c user.name=try -c user.email=try@localhost -c commit.gpgsign=false commit -qm "shop"
cp -R "$here/shop/change/." "$work"
set +e
"$python" -m qualitygate check --base HEAD "$@"
code=$?
echo "qualitygate exited $code"
exit $code
