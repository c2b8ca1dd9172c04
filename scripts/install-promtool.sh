#!/usr/bin/env bash
# Installs promtool (Debian package prometheus) for the metrics test; never starts Prometheus as a service.
set -euo pipefail

BIN=/usr/bin/promtool
say() { printf 'install-promtool: %s\n' "$*"; }
fail() { printf 'install-promtool: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -x "$BIN" ]]; then
  say "already installed: $("$BIN" --version 2>&1 | head -n 1)"
  exit 0
fi
command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: install promtool another way (the test looks for $BIN, or PROMTOOL_BIN)"
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: cannot install prometheus (for promtool)"
  SUDO=(sudo -n)
fi

# The package's maintainer scripts would start a Prometheus server: policy-rc.d answering 101 forbids that,
# and it is removed again only if this script put it there.
POLICY=/usr/sbin/policy-rc.d
ours=0
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  ours=1
fi
cleanup() { if [[ $ours -eq 1 ]]; then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
say "apt-get update…"
"${SUDO[@]}" apt-get update -qq </dev/null || fail "apt-get update failed (no network or no package sources?)"
say "apt-get install prometheus (for promtool)…"
# Recommends (node exporter and friends) are not needed for promtool.
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  prometheus </dev/null || fail "apt-get install prometheus failed"
[[ -x "$BIN" ]] || fail "installed, but $BIN is not there"
# Where something did start the server (a real systemd host), stop it: only promtool is wanted.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  "${SUDO[@]}" systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
say "installed: $("$BIN" --version 2>&1 | head -n 1)"
