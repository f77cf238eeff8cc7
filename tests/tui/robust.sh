#!/usr/bin/env bash
# Adversarial checks of the explorer in a real terminal (tmux), on inputs
# made here (umoci, jq, python3): no corpus needed.
#  1. hostile strings (escape sequences, OSC 0 title, OSC 52 clipboard, C1
#     CSI, bidi override, newlines, invalid UTF-8 in a path and in layer file
#     names) are shown escaped: the screen shows the escapes, the pane title
#     and tmux's clipboard are untouched, and the bytes bakelens wrote (tmux
#     pipe-pane) never hold the raw sequences from the data;
#  2. the terminal is restored (no alternate screen, cursor shown, keypad
#     and mouse off, stty echo/icanon/icrnl) after q, Ctrl-C, Ctrl-\, SIGINT,
#     SIGTERM, SIGHUP, SIGQUIT, SIGSEGV (exit 128+signal) and a load error;
#  3. a slow streamed 300 MB tar.gz (a FIFO fed at a limited rate) shows
#     progress, ? opens help meanwhile, Esc cancels (exit 130) and q quits
#     promptly even while the load is inside one long member;
#  4. 20 resizes between 40x10 and 200x60 end on the same screen as a fresh
#     start at that size; widths under 20 columns do not crash;
#  5. CJK, emoji and combining characters keep the columns; LANG=C writes
#     only ASCII (no mojibake);
#  6. NO_COLOR=1 and --no-color write no colour sequence; TERM=xterm (8
#     colours) and TERM=vt100 work.
# Needs: BAKELENS (set by meson), tmux, umoci, jq, python3. Exit 77 = skipped.
set -u
export TZ=UTC LC_ALL=C.UTF-8 TERM=xterm-256color
: "${BAKELENS:?}" "${BL_SRC:?}"
for t in tmux umoci jq python3 stty; do
	command -v $t >/dev/null || { echo "no $t: skip"; exit 77; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
SOCK=bl-robust-$$
T="tmux -L $SOCK-0"
failures=0
feeder=
cleanup() {
	$T kill-server 2>/dev/null
	[ -n "$feeder" ] && kill "$feeder" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cd "$W" || exit 1

# ---------------------------------------------------------------- helpers

. "$BL_SRC/tests/tui/tmux-lib.sh"
# A fresh tmux server with a plain sh in a W x H pane; everything the pane
# gets is recorded.
start() { # W H
	: >"$W/raw.out"
	tui_start_shell "$1" "$2" "$W"
	$T set -g set-clipboard on
	tui_title_clean
	tui_record "$W/raw.out"
	sleep 0.2
}
# Run bakelens in the pane: run "ENV..." "ARGS..." (both go through sh).
run() { tui_run_in_shell "$W" "$1" "$2"; }
flags() { $T display -p -t bl '#{alternate_on} #{cursor_flag} #{keypad_cursor_flag} #{keypad_flag} #{mouse_any_flag}'; }
# The shell is back, the terminal in a sane state: alternate screen off,
# cursor shown, keypad and mouse modes off, and (asked in the pane itself)
# echo, canonical input and CR->NL on.
check_sane() { # WHAT
	local f
	f=$(flags)
	[ "$f" = "0 1 0 0 0" ] || fail "$1: terminal modes left on (alt cursor keypad-cursor keypad mouse): $f"
	# (EN''D: the command line itself never shows what is waited for.)
	$T send-keys -t bl "clear; echo STTY \$(stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(echo|icanon|icrnl|isig)' | sort | tr '\\n' ' ')EN''D" Enter
	wait_or_fail " END" 3 || return
	pane | grep -q "STTY echo icanon icrnl isig END" ||
		fail "$1: tty not restored: $(pane | grep STTY)"
}
# No raw sequence from the hostile data in what bakelens wrote.
check_raw_clean() { # WHAT
	local pat
	for pat in $'\e]0;PWN' $'\e]52;c;UFdO' $'\xc2\x9b' $'\xe2\x80\xae' $'\e[2JCLR' $'\xff\xfe' $'\e]0;K'; do
		if LC_ALL=C grep -qaF -- "$pat" "$W/raw.out"; then
			fail "$1: raw bytes from the data reached the terminal: $(printf '%s' "$pat" | od -An -c | tr -s ' ')"
		fi
	done
	local title
	title=$($T display -p -t bl '#{pane_title}')
	[ "$title" = clean ] || fail "$1: the pane title changed to '$title'"
	if $T show-buffer >/dev/null 2>&1; then
		fail "$1: something reached the clipboard: $($T show-buffer | od -c | head -2)"
	fi
}

# ---------------------------------------------------------------- inputs

BAD=$'\e[2JCLR\e]0;PWNTITLE\a\e]52;c;UFdOQ0xJUA==\a\xc2\x9b31mC1\xe2\x80\xaeRTL\nNL'
put_blob() { local d; d=$(sha256sum "$2" | cut -d' ' -f1); cp "$2" "$1/blobs/sha256/$d"; echo "sha256:$d"; }
# hostile LAYOUT: tag, index and manifest annotations, a label (key and
# value), env and history created_by all carry $BAD.
hostile() {
	local L=$1 man cfg c2 m2
	man=$(jq -r '.manifests[0].digest' "$L/index.json")
	cfg=$(jq -r '.config.digest' "$L/blobs/sha256/${man#sha256:}")
	jq -c --arg l "$BAD" '.config.Labels = {"evil\u001b]0;K\u0007": $l} | .config.Env = ["E=\($l)"]
		| .history = [(.history // [])[] | .created_by = ("RUN " + $l)]' \
		"$L/blobs/sha256/${cfg#sha256:}" >cfg.json
	c2=$(put_blob "$L" cfg.json)
	jq -c --arg d "$c2" --argjson s "$(stat -c %s cfg.json)" --arg l "$BAD" \
		'.config.digest = $d | .config.size = $s | .annotations = {"m.evil": $l}' \
		"$L/blobs/sha256/${man#sha256:}" >man.json
	m2=$(put_blob "$L" man.json)
	jq --arg d "$m2" --argjson s "$(stat -c %s man.json)" --arg t "v1$BAD" \
		'.manifests[0].digest = $d | .manifests[0].size = $s
		| .manifests[0].annotations["org.opencontainers.image.ref.name"] = $t
		| .manifests[0].annotations["x.evil\u001b[2J"] = $t' "$L/index.json" >i.json &&
		mv i.json "$L/index.json"
}
echo hello >f
mkdir plain evil
touch plain/p
# File names with an OSC 0, an OSC 52, invalid UTF-8, a newline, a C1 CSI, a
# bidi override and ESC [ 2J: they reach the screen in a file diff.
(cd evil && touch $'\e]0;PWNTITLE\a' $'\e]52;c;UFdOQ0xJUA==\a' $'bad\xff\xfeutf8' \
	$'nl\nname' $'c1\xc2\x9b31m' $'rtl\xe2\x80\xaeabc' $'\e[2JCLR')
{
	umoci init --layout G && umoci new --image G:v1 &&
		umoci config --image G:v1 --os linux --architecture amd64 \
			--created 2024-01-01T00:00:00Z --history.created 2024-01-01T00:00:00Z &&
		umoci insert --image G:v1 --history.created 2024-01-01T00:00:00Z f /f &&
		cp -r G A && cp -r G B &&
		umoci insert --image A:v1 --history.created 2024-01-01T00:00:00Z plain /d &&
		umoci insert --image B:v1 --history.created 2024-01-01T00:00:00Z evil /d
} >/dev/null 2>&1 || { echo "umoci failed: skip"; exit 77; }
hostile A && hostile B || exit 1
# The same layout under a hostile directory name (title, errors).
HP=$W/$'dir\e]0;PWNTITLE\a\e]52;c;UFdOQ0xJUA==\a\xc2\x9b31m\xe2\x80\xae\xff\xfe'
cp -r A "$HP"
printf '%s' "$HP" >hp.txt
# buildx metadata whose warnings (base64), file, URL and image name are hostile.
b64=$(printf '%s' "$BAD" | base64 -w0)
jq -n --arg d "$(jq -r '.manifests[0].digest' A/index.json)" --arg b "$b64" --arg raw "$BAD" \
	'{"containerimage.digest": $d, "image.name": ("x" + $raw),
	  "buildx.build.warnings": [{"level": 1, "short": $b, "detail": [$b],
	    "url": ("https://x/" + $raw), "sourceInfo": {"filename": ("Dockerfile" + $raw)},
	    "range": [{"start": {"line": 3}}]}]}' >meta.json

# ------------------------------------------------- 1. hostile strings

start 120 40
# The hostile path reaches bakelens through a variable (read from hp.txt),
# so the command line the shell echoes holds none of its bytes.
$T send-keys -t bl 'clear; HP=$(cat hp.txt)' Enter
sleep 0.2
: >"$W/raw.out"
# walk: select every row, page through its detail pane, open its explanation;
# then Y (name@digest: refused for a hostile name) and the messages view.
walk() {
	$T send-keys -t bl '*'
	for i in $(seq 1 6); do
		sleep 0.15
		seen+=$(pane)
		$T send-keys -t bl Tab C-f C-f
		sleep 0.1
		seen+=$(pane)
		$T send-keys -t bl Tab e
		sleep 0.15
		seen+=$(pane)
		$T send-keys -t bl Escape j
	done
	$T send-keys -t bl g Y m
	sleep 0.3
	seen+=$(pane)
	$T send-keys -t bl Escape q
	wait_or_fail "EXIT 0" || true
}
seen=
run "" "\"\$HP\""
wait_or_fail "layer 1/2" || exit 1
walk
run "" "--offline meta.json"
wait_or_fail "warnings (1)" || exit 1
walk
for want in 'v1\e[2JCLR\e]0;PWNTITLE\x07\e]52;c;UFdO' '\u{9b}31mC1\u{202e}RTL\nNL' \
	'x.evil\e[2J' 'm.evil' 'label:evil\e]0;K\x07' 'E=\e[2JCLR' 'RUN \e[2JCLR' \
	'x\e[2JCLR\e]0;PWNTITLE' 'at Dockerfile\e[2JCLR' 'https://x/\e[2JCLR' \
	'PWNTITLE\x07\e]52;c;UFdOQ0xJUA==\x07\u{9b}31m\u{202e}\xff\xfe'; do
	case $seen in *"$want"*) ;; *) fail "hostile: the screen never showed '$want' escaped" ;; esac
done
check_raw_clean "hostile explorer"
check_sane "hostile explorer"

# A load error naming the hostile path: printed escaped on a restored terminal.
: >"$W/raw.out"
run "" "\"\$HP/missing\""
wait_or_fail "EXIT 3" || true
pane | grep -qF 'bakelens: ' || fail "load error: no 'bakelens: ' message: $(pane | grep -v '^$' | head -3)"
pane | grep -qF '\e]0;PWNTITLE\x07' || fail "load error: the path is not shown escaped"
check_raw_clean "load error"
check_sane "load error"

# The compare view and a file diff: layer file names with hostile bytes.
: >"$W/raw.out"
run "" "--diff A B"
wait_or_fail "difference" || exit 1
$T send-keys -t bl ']' ']'
sleep 0.2
$T send-keys -t bl F
wait_or_fail "Files compared" || true
$T send-keys -t bl Tab C-f
sleep 0.3
seen=$(pane)
for want in 'A d/\e]0;PWNTITLE\x07' 'A d/\e]52;c;UFdOQ0xJUA==\x07' 'A d/bad\xff\xfeutf8' 'A d/nl\nname' \
	'A d/c1\u{9b}31m' 'A d/rtl\u{202e}abc' 'A d/\e[2JCLR'; do
	case $seen in *"$want"*) ;; *) fail "file diff: '$want' not shown escaped" ;; esac
done
$T send-keys -t bl q q
wait_or_fail "EXIT 0" || true
check_raw_clean "file diff"
check_sane "file diff"

# The file tree of the hostile image (F on its manifest): the same names, escaped.
: >"$W/raw.out"
run "" "B"
wait_or_fail "layer 2/2" || exit 1
$T send-keys -t bl / "$(jq -r '.manifests[0].digest' B/index.json | cut -c8-19)" Enter
sleep 0.2
$T send-keys -t bl F
wait_or_fail "image as of it" || true
seen=$(pane)
# Leaves of d/, added by layer 2: "A", then the indentation, then the name.
for want in 'A     \e]0;PWNTITLE\x07' 'A     \e]52;c;UFdOQ0xJUA==\x07' 'A     bad\xff\xfeutf8' \
	'A     nl\nname' 'A     c1\u{9b}31m' 'A     rtl\u{202e}abc' 'A     \e[2JCLR'; do
	case $seen in *"$want"*) ;; *) fail "files: '$want' not shown escaped" ;; esac
done
$T send-keys -t bl q q
wait_or_fail "EXIT 0" || true
check_raw_clean "files"
check_sane "files"

# ------------------------------------------------- 2. restoring the terminal

exit_for() { # KEY-or-SIGNAL CODE WHAT
	run "" "A"
	wait_or_fail " bakelens " || return
	sleep 0.2
	case $1 in
	-*) kill "$1" "$(cat "$W/pid")" ;;
	*) $T send-keys -t bl "$1" ;;
	esac
	wait_or_fail "EXIT $2" || return
	check_sane "$3"
}
start 100 30
exit_for q 0 "q"
exit_for C-c 130 "Ctrl-C"
exit_for 'C-\' 131 "Ctrl-\\"
exit_for -INT 130 "SIGINT"
exit_for -TERM 143 "SIGTERM"
exit_for -HUP 129 "SIGHUP"
exit_for -QUIT 131 "SIGQUIT"
exit_for -SEGV 139 "SIGSEGV"
exit_for -USR1 138 "SIGUSR1"

# ------------------------------------------------- 3. a slow streamed source

# A ~300 MB OCI tarball, gzip, written into a FIFO at ~20 MB/s: blobs first
# (as buildx writes them), so index.json comes after the 300 MB layer and the
# archive can only be read as a stream. gzip level 0 keeps making it fast.
cat >mkbig.py <<'EOF'
import gzip, hashlib, io, json, os, sys, tarfile, time
out, rate = sys.argv[1], float(sys.argv[2])
SIZE = 300 << 20
zeros = bytes(1 << 20)
h = hashlib.sha256()
for _ in range(SIZE >> 20):
    h.update(zeros)
layer = "sha256:" + h.hexdigest()
def blob(obj):
    b = json.dumps(obj).encode()
    return "sha256:" + hashlib.sha256(b).hexdigest(), b
cfgd, cfg = blob({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [layer]}})
mand, man = blob({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfgd, "size": len(cfg)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": SIZE}]})
index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": mand, "size": len(man), "annotations": {"org.opencontainers.image.ref.name": "big"}}]}).encode()

class Slow(io.RawIOBase):
    def __init__(self, f):
        self.f, self.t0, self.n = f, time.time(), 0
    def writable(self):
        return True
    def write(self, b):
        self.f.write(b)
        self.n += len(b)
        ahead = self.n / rate - (time.time() - self.t0)
        if ahead > 0:
            time.sleep(ahead)
        return len(b)

class Zeros(io.RawIOBase):
    def __init__(self):
        self.left = SIZE
    def readable(self):
        return True
    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n

try:
    with open(out, "wb") as f, gzip.GzipFile(fileobj=Slow(f), mode="wb", compresslevel=0) as z, \
            tarfile.open(fileobj=z, mode="w|") as t:
        def add(name, data=None, size=None, src=None):
            ti = tarfile.TarInfo(name)
            ti.size = len(data) if data is not None else size
            t.addfile(ti, io.BytesIO(data) if data is not None else src)
        add("blobs/sha256/" + layer[7:], size=SIZE, src=io.BufferedReader(Zeros(), 1 << 20))
        add("blobs/sha256/" + cfgd[7:], cfg)
        add("blobs/sha256/" + mand[7:], man)
        add("index.json", index)
        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
except (BrokenPipeError, OSError):
    pass
EOF
feed() { # RATE (bytes/s): a new FIFO big.tar.gz and its writer
	rm -f big.tar.gz
	mkfifo big.tar.gz
	python3 mkbig.py big.tar.gz "$1" &
	feeder=$!
}
unfeed() { kill "$feeder" 2>/dev/null; wait "$feeder" 2>/dev/null; feeder=; }
start 100 30
feed 20000000
run "" "big.tar.gz"
wait_or_fail "Loading:" || true
sleep 2.2
bar1=$(pane | tail -1)
case $bar1 in *"Loading:"*"Esc cancel"*) ;; *) fail "slow load: no progress in the status bar: $bar1" ;; esac
case $bar1 in *"s)"*) ;; *) fail "slow load: the status bar shows no time going by: $bar1" ;; esac
$T send-keys -t bl '?'
wait_or_fail "bakelens keys" 2 || fail "slow load: ? did not open the help while loading"
pane | tail -1 | grep -q "Loading:" || fail "slow load: the help hid the progress"
$T send-keys -t bl Escape
sleep 0.3
pane | grep -q "bakelens keys" && fail "slow load: Esc did not close the help"
t0=$(date +%s%N)
$T send-keys -t bl Escape
wait_or_fail "EXIT 130" 10 || true
t1=$(date +%s%N)
# Generous on a shared machine; without the fix this takes the rest of the
# 300 MB member at 20 MB/s (about 15 s).
[ $(((t1 - t0) / 1000000)) -lt 8000 ] || fail "slow load: Esc took $(((t1 - t0) / 1000000)) ms to cancel"
pane | grep -q "bakelens: .*cancel" || fail "slow load: no 'cancelled' message: $(pane | grep -v '^$' | tail -3)"
check_sane "cancelled load"
unfeed
# q while the load is inside the 300 MB member: out without waiting for its end.
feed 20000000
run "" "big.tar.gz"
wait_or_fail "Loading:" || true
sleep 1
t0=$(date +%s%N)
$T send-keys -t bl q
wait_or_fail "EXIT 0" 10 || true
t1=$(date +%s%N)
[ $(((t1 - t0) / 1000000)) -lt 8000 ] || fail "slow load: q took $(((t1 - t0) / 1000000)) ms to quit"
check_sane "quit while loading"
unfeed
# And when it is let be, it loads (fast feed).
feed 2000000000
run "" "big.tar.gz"
wait_or_fail "layer 1/1" 30 || true
$T send-keys -t bl q
wait_or_fail "EXIT 0" || true
unfeed

# ------------------------------------------------- 4. resize storms

# UTF-8 labels too (section 5 reads the same screen).
mkdir -p U && cp -r G/. U/
man=$(jq -r '.manifests[0].digest' U/index.json)
cfg=$(jq -r '.config.digest' "U/blobs/sha256/${man#sha256:}")
jq -c '.config.Labels = {"cjk": "日本語のラベル|", "comb": "cafe\u0301 nai\u0308ve|",
	"emoji": "🚀 rocket|", "hangul": "한국어|", "half": "ｱｲｳ half|"}' \
	"U/blobs/sha256/${cfg#sha256:}" >c.json
c2=$(put_blob U c.json)
jq -c --arg c "$c2" --argjson s "$(stat -c %s c.json)" '.config.digest = $c | .config.size = $s' \
	"U/blobs/sha256/${man#sha256:}" >m.json
m2=$(put_blob U m.json)
jq --arg m "$m2" --argjson s "$(stat -c %s m.json)" '.manifests[0].digest = $m | .manifests[0].size = $s
	| .manifests[0].annotations["org.opencontainers.image.ref.name"] = "タグ🚀é"' U/index.json >i.json &&
	mv i.json U/index.json

start 80 24
run "" "U"
wait_or_fail "layer 1/1" || exit 1
$T send-keys -t bl j j
sleep 0.2
sizes="40x10 200x60 57x13 181x44 40x60 200x10 99x31 123x17 64x58 150x22 41x11 199x59 77x33 188x12 45x47 160x50 90x20 133x41 52x15 117x33"
for s in $sizes; do
	$T resize-window -t bl -x "${s%x*}" -y "${s#*x}"
done
sleep 0.8
pane -e >storm.txt
$T send-keys -t bl q
wait_or_fail "EXIT 0" || true
# A fresh start at the final size, the same keys.
start 117 33
run "" "U"
wait_or_fail "layer 1/1" || exit 1
$T send-keys -t bl j j
sleep 0.8
pane -e >fresh.txt
python3 "$HERE/cells.py" storm.txt fresh.txt ||
	fail "resize storm: the screen differs from a fresh start at 117x33 (above)"
# C-l repaints what another program wrote over the screen.
printf '\033[5;5HGARBAGE-ON-SCREEN' >"$($T display -p -t bl '#{pane_tty}')"
sleep 0.2
$T send-keys -t bl C-l
sleep 0.4
pane | grep -q GARBAGE-ON-SCREEN && fail "C-l: the screen was not repainted"
pane -e >redrawn.txt
python3 "$HERE/cells.py" redrawn.txt fresh.txt || fail "C-l: the repainted screen differs (above)"

# 5. The border between the panes is at one column on every row, whatever
# the labels hold (wide, emoji, combining), measured the way terminals do.
python3 - "$W/fresh.txt" <<'EOF' || fail "utf-8: columns do not line up (above)"
import re, sys, unicodedata
cols = set()
for line in open(sys.argv[1], encoding="utf-8"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line.rstrip("\n"))
    col = 0
    for ch in line:
        if ch == "\u2502":
            cols.add(col)
            break
        if unicodedata.combining(ch):
            continue
        col += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
if len(cols) != 1:
    print("border columns:", sorted(cols))
    sys.exit(1)
EOF
for want in "日本語のラベル|" $'cafe\xcc\x81 nai\xcc\x88ve|' "🚀 rocket|" "한국어|" "ｱｲｳ half|"; do
	pane | grep -qF -- "$want" || fail "utf-8: '$want' not shown as is"
done

# Under 20 columns and tiny sizes: no crash, and it comes back.
for s in 19x10 10x5 5x3 1x1 2x30 12x2 15x40 9x3; do
	$T resize-window -t bl -x "${s%x*}" -y "${s#*x}"
	sleep 0.1
	$T send-keys -t bl '?' j m e Escape c Escape Tab '/' x Escape '*' G
	sleep 0.1
done
$T resize-window -t bl -x 80 -y 24
sleep 0.3
kill -0 "$(cat "$W/pid")" 2>/dev/null || fail "narrow: bakelens died at a small size"
$T send-keys -t bl C-l
wait_or_fail " bakelens " || true
$T send-keys -t bl q
wait_or_fail "EXIT 0" || true
check_sane "resizes"

# LANG=C: ASCII guides, '?' for what ASCII cannot show, and not one byte
# outside ASCII written.
start 100 30
: >"$W/raw.out"
$T send-keys -t bl "clear; env -u LC_ALL LANG=C XDG_CONFIG_HOME=/nonexistent TERM=xterm-256color '$BAKELENS' U; echo EXIT \$?" Enter
wait_or_fail "layer 1/1" || true
$T send-keys -t bl j j
sleep 0.4
pane | grep -qF -- '`- - manifest' || fail "LANG=C: no ASCII guides: $(pane | sed -n 3p)"
pane | grep -qF -- '??????????????|' || fail "LANG=C: CJK label not shown as '?' per column"
pane | grep -qF -- 'cafe naive|' || fail "LANG=C: combining marks not left out"
$T send-keys -t bl q
wait_or_fail "EXIT 0" || true
if LC_ALL=C grep -qaP '[\x80-\xff]' "$W/raw.out"; then
	fail "LANG=C: non-ASCII bytes written: $(LC_ALL=C grep -oaP '.{0,10}[\x80-\xff]+' "$W/raw.out" | head -3 | cat -v)"
fi

# ------------------------------------------------- 6. colours

# Colour SGR parameters: 30-39, 40-49, 90-97, 100-107 (38/48 carry 5;N).
has_colour() {
	python3 - "$W/raw.out" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
for m in re.finditer(rb"\x1b\[([0-9;:]*)m", data):
    for p in m.group(1).replace(b":", b";").split(b";"):
        if p and (30 <= int(p) <= 49 or 90 <= int(p) <= 107):
            print(m.group(0)); sys.exit(0)
sys.exit(1)
EOF
}
colour_run() { # ENV ARGS WHAT
	: >"$W/raw.out"
	run "$1" "$2"
	wait_or_fail "layer 1/1" || return
	$T send-keys -t bl j j '?'
	sleep 0.3
	$T send-keys -t bl q q
	wait_or_fail "EXIT 0" || true
}
start 100 30
colour_run "NO_COLOR=1" "U"
has_colour >/dev/null && fail "NO_COLOR=1: colour sequences written: $(has_colour | cat -v)"
colour_run "NO_COLOR=" "--no-color U"
has_colour >/dev/null && fail "--no-color: colour sequences written: $(has_colour | cat -v)"
colour_run "" "U"
has_colour >/dev/null || fail "default: no colour at all (the check above would prove nothing)"
colour_run "TERM=xterm" "U"
LC_ALL=C grep -qaF $'\e[38;5;' "$W/raw.out" && fail "TERM=xterm: 256-colour sequences on an 8-colour terminal"
check_sane "TERM=xterm"
colour_run "TERM=vt100" "U"
pane | grep -qF " bakelens " && fail "TERM=vt100: the explorer was left on the screen (no alternate screen to leave)"
check_sane "TERM=vt100"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
