#!/usr/bin/env bash
# Installs FerretDB 1.24.2 (the embedded database server) into <project>/.tools/bin/ferretdb, built from source with Go
# and patched (patches/ferretdb/: its `_id` index and single-field indexes used); a stamp beside the binary makes a
# changed patch rebuild it.
set -euo pipefail

VERSION=v1.24.2
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST_DIR="$ROOT/.tools/bin"
DEST="$DEST_DIR/ferretdb"
PATCHES="$ROOT/patches/ferretdb"
STAMP_FILE="$DEST.stamp"

say() { printf 'install-ferretdb: %s\n' "$*"; }
fail() { printf 'install-ferretdb: ERROR: %s\n' "$*" >&2; exit 1; }

# Captured, not piped into grep -q: with pipefail, grep quitting early fails the pipeline via SIGPIPE.
reports_version() { local out; out="$("$1" --version 2>/dev/null)" || return 1; [[ "$out" == *"version: $VERSION"* ]]; }

# The version and a hash of the patches, in name order (src/store/embedded.ts computes the same to trust the binary).
stamp() {
  local p sums=""
  for p in "$PATCHES"/*.patch; do sums+="$(basename "$p") $(sha256sum "$p" | cut -d' ' -f1)"$'\n'; done
  printf '%s %s\n' "$VERSION" "$(printf '%s' "$sums" | sha256sum | cut -d' ' -f1)"
}
STAMP="$(stamp)"

if [[ "${1:-}" == "--stamp" ]]; then printf '%s\n' "$STAMP"; exit 0; fi

if [[ -x "$DEST" ]] && reports_version "$DEST" && [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$STAMP" ]]; then
  say "FerretDB $VERSION (patched) already installed at $DEST"
  exit 0
fi
[[ -x "$DEST" ]] && say "the FerretDB at $DEST was built without today's patches: building it again"

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || fail "Go is not installed (needed once to build FerretDB $VERSION).
  Install Go 1.24+ from https://go.dev/dl/, or set MONGODB_URI to an existing MongoDB,
  or set SWITCHBOARD_FERRETDB_BIN to a FerretDB binary."

GO_MINOR="$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')"
if [[ "$GO_MINOR" =~ ^[0-9]+$ ]] && (( GO_MINOR < 24 )); then
  fail "Go $(go env GOVERSION) is too old: 'go get -tool' needs Go 1.24 or newer"
fi

say "installing FerretDB ${VERSION#v} with Go (first start only, ~1-3 min)…"

mkdir -p "$ROOT/.tools" "$DEST_DIR"
WORK="$(mktemp -d "$ROOT/.tools/ferretdb-build.XXXXXX")"
cleanup() { chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# The build dir sits inside the project's git tree: VCS stamping would fail or mislabel it.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"

cd "$WORK"
go mod init tools.local/db >/dev/null 2>&1
say "fetching github.com/FerretDB/FerretDB@$VERSION and its modules…"
go get -tool "github.com/FerretDB/FerretDB/cmd/ferretdb@$VERSION" >/dev/null 2>"$WORK/get.log" ||
  { tail -n 20 "$WORK/get.log" >&2; fail "go get failed (network or module proxy unreachable?)"; }

# A plain build records FerretDB as a dependency, so its version check panics with
# "Invalid build/version/version.txt"; a local copy with the version file filled in avoids that.
M="$(go env GOMODCACHE)/github.com/!ferret!d!b/!ferret!d!b@$VERSION"
[[ -d "$M" ]] || fail "module source not found at $M after go get"
cp -r "$M" ferretdb-src
chmod -R u+w ferretdb-src
echo "$VERSION" > ferretdb-src/build/version/version.txt
for p in "$PATCHES"/*.patch; do
  say "applying $(basename "$p")"
  # The build dir sits inside the project's git tree: the ceiling keeps git apply from treating it as that repository.
  (cd ferretdb-src && GIT_CEILING_DIRECTORIES="$WORK" git apply --whitespace=nowarn "$p") || fail "patch $p does not apply"
done
grep -q "IDColumn = DefaultColumn + \"->'_id'\"" ferretdb-src/internal/backends/sqlite/metadata/metadata.go ||
  fail "the _id index patch is not in the source after applying"
go mod edit -replace github.com/FerretDB/FerretDB=./ferretdb-src

say "compiling (this is the slow part)…"
go build -o "$WORK/ferretdb" github.com/FerretDB/FerretDB/cmd/ferretdb 2>"$WORK/build.log" ||
  { tail -n 20 "$WORK/build.log" >&2; fail "go build failed"; }

reports_version "$WORK/ferretdb" || fail "built binary does not report $VERSION"
mv -f "$WORK/ferretdb" "$DEST"
printf '%s\n' "$STAMP" > "$STAMP_FILE"
say "FerretDB $VERSION (patched) installed at $DEST"
