#!/usr/bin/env bash
# SBOMs in the explorer (layouts written by make_sbom_layout.py):
#  1. the compare view on two builds whose SBOM attestations differ by one
#     package version counts one difference, the SBOM statement under the
#     amd64 attestation, and its detail names the package change and nothing
#     else;
#  2. P on the build lists the packages of every SBOM under it, per
#     platform, and f filters them (an escaped hostile name too).
# Needs tmux, python3.
. "$BL_TESTLIB"
need_tool tmux python3
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
MK=$BL_SRC/tests/integration/make_sbom_layout.py
python3 "$MK" "$BL_TMP/a" spdx amd64=musl@1.2.4,zlib@1.3 arm64=musl@1.2.4
python3 "$MK" "$BL_TMP/b" spdx amd64=musl@1.2.5,zlib@1.3 arm64=musl@1.2.4
python3 "$MK" "$BL_TMP/c" cyclonedx "amd64=musl@1.2.4,zlib@1.3,$(printf 'evil\033[31m')@6" arm64=musl@1.2.5

SOCK=bl-csbom-$$
T="tmux -L $SOCK-0"
trap '$T kill-server 2>/dev/null || true; bl_cleanup' EXIT
. "$BL_SRC/tests/tui/tmux-lib.sh"
tui_start 120 30 \
	"env XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' --diff '$BL_TMP/a' '$BL_TMP/b'; echo EXITED \$?; sleep 30"
if wait_for "1 difference" 10; then pass; else fail "the view does not count one difference"; fi
$T send-keys -t bl n
if wait_for "difference 1 of 1" 5; then pass; else fail "n does not go to the difference"; fi
screen=$(pane)
expect_eq "the difference is the SBOM statement" 1 "$(grep -c '^ statement sbom (spdx): index only' <<<"$screen")"
expect_eq "its package change" 1 "$(grep -c '^   package musl 1.2.4 -> 1.2.5 (apk)$' <<<"$screen")"
expect_eq "no other package line" 1 "$(grep -c '^   package ' <<<"$screen")"
expect_eq "under the amd64 attestation" 1 "$(grep -c '~ *▾ attestation for linux/amd64' <<<"$screen")"
expect_eq "the arm64 attestation identical" 1 "$(grep -c '= *▸ attestation for linux/arm64' <<<"$screen")"
$T send-keys -t bl n
if wait_for "No next difference" 5; then pass; else fail "a second difference was found"; fi
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi

tui_start 100 24 \
	"env XDG_CONFIG_HOME=/nonexistent TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color '$BAKELENS' '$BL_TMP/c'; echo EXITED \$?; sleep 30"
if wait_for "index" 10; then pass; else fail "the explorer did not open"; fi
$T send-keys -t bl P
if wait_for "bakelens - packages" 5; then pass; else fail "P did not open the packages"; fi
screen=$(pane)
expect_eq "packages: one list per SBOM, counted" \
	"$(printf '%s\n' ' sbom (cyclonedx) of attestation for linux/amd64: 3 packages' \
		' sbom (cyclonedx) of attestation for linux/arm64: 1 package')" \
	"$(grep ' sbom (cyclonedx) of ' <<<"$screen")"
expect_eq "packages: name version type purl" 1 \
	"$(grep -c '^   zlib 1.3 apk  pkg:apk/alpine/zlib@1.3$' <<<"$screen")"
expect_eq "packages: hostile name escaped" 1 "$(grep -cF '   evil\e[31m 6 apk  pkg:apk/alpine/evil\e[31m@6' <<<"$screen")"
$T send-keys -t bl f m u s
if wait_for "1 of 3 packages" 5; then pass; else fail "f did not filter the packages"; fi
$T send-keys -t bl Enter
screen=$(pane)
expect_eq "filtered: musl only, on both platforms" \
	"$(printf '%s\n' '   musl 1.2.4 apk  pkg:apk/alpine/musl@1.2.4' '   musl 1.2.5 apk  pkg:apk/alpine/musl@1.2.5')" \
	"$(grep '^   [a-z]' <<<"$screen")"
$T send-keys -t bl Escape
sleep 0.3
$T send-keys -t bl q
if wait_for "EXITED 0" 5; then pass; else fail "q did not quit with 0"; fi
finish
