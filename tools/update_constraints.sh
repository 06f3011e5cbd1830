#!/usr/bin/env bash
# Re-resolve every package install.sh installs to the newest releases that fit setup.cfg and the
# bounds below, in a throw-away venv, and rewrite constraints.txt with what was installed.
# For deliberate upgrades only: review the diff, run install.sh and the tests, then commit.
#
#   bash tools/update_constraints.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
# The only bounds that are not in setup.cfg: visdom's sdist imports pkg_resources, which setuptools
# 81 and later no longer ship; torch is the CPU build that lies on the development machines.
BOUNDS="setuptools<81
torch==${TORCH_PIN:-2.13.0}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
printf '%s\n' "$BOUNDS" > "$TMP/bounds.txt"
export PIP_CONSTRAINT="$TMP/bounds.txt"
python3 -m venv "$TMP/venv"
PIP=("$TMP/venv/bin/python" -m pip --disable-pip-version-check -q)
"${PIP[@]}" install setuptools wheel ninja
"${PIP[@]}" install torch
"${PIP[@]}" install --no-build-isolation -e ".[all]"
"${PIP[@]}" check
{
    awk '!/^#/ {exit} {print}' constraints.txt   # the header comment
    "$TMP/venv/bin/python" -m pip freeze --all \
        | grep -v -e '^-e' -e '^#' -e '^pip==' | sed 's/^\(torch==[^+]*\)+.*/\1/' | sort -f
} > "$TMP/constraints.txt"
mv "$TMP/constraints.txt" constraints.txt
git --no-pager diff --stat -- constraints.txt || true
echo "constraints.txt rewritten: review the diff, run 'bash install.sh' and the tests, then commit."
