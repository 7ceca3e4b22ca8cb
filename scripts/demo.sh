#!/usr/bin/env bash
# The offline demo of the main job: serve a local copy of real policy documents on 127.0.0.1 and run
# `miner run` on it (fetch, extract, analyse, score, store), then list what was stored.
# Uses ../shared/corpora when it is there (the Flemish coalition agreement, French Assembly pages on
# immigration, official-journal pages); otherwise only the project's own corpora/demo documents.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
MINER=${MINER:-$root/.venv/bin/miner}
C="$root/../shared/corpora"
mkdir -p var; site="$root/var/demo-site"
srv=""; trap '[ -n "$srv" ] && kill $srv 2>/dev/null' EXIT
# The site is built once and kept (file times preserved), so that a second `make demo` finds every
# document unchanged: the crawler's conditional requests get 304s and nothing is analysed again.
if [ ! -f "$site/index.html" ]; then
mkdir -p "$site/plans" "$site/fr" "$site/nl" "$site/private"
cp -p corpora/demo/*.html "$site/nl/"
links=""
for f in "$site"/nl/*.html; do b=$(basename "$f"); links="$links<li><a href=\"/nl/$b\">$b</a></li>"; done
if [ -d "$C" ]; then
  cp -p "$C/policy/vlaams-regeerakkoord-2019-2024/source/Regeerakkoord20192024.pdf" "$site/plans/regeerakkoord-2019-2024.pdf"
  links="$links<li><a href=\"/plans/regeerakkoord-2019-2024.pdf\">Regeerakkoord 2019-2024</a></li>"
  n=0
  for f in $(ls "$C"/foreign/fr-assemblee/archive/*/dossiers/*immigr* | head -3); do
    n=$((n+1)); cp -p "$f" "$site/fr/dossier$n.html"; links="$links<li><a href=\"/fr/dossier$n.html\">dossier $n</a></li>"
  done
  for f in "$C"/official-journal/html_samples/*.html; do
    b=$(basename "$f"); cp -p "$f" "$site/fr/$b"; links="$links<li><a href=\"/fr/$b\">$b</a></li>"
  done
else
  echo "note: $C is absent; the demo serves only corpora/demo" >&2
fi
printf 'User-agent: *\nDisallow: /private/\n' > "$site/robots.txt"
echo "<html><body>not for crawlers</body></html>" > "$site/private/intern.html"
cat > "$site/index.html" <<HTML
<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Beleidsdocumenten</title></head>
<body><ul>$links<li><a href="/private/intern.html">intern</a></li></ul></body></html>
HTML
fi
# A fixed port keeps the documents' URLs (their identity in the store) the same from run to run.
port=${DEMO_PORT:-8765}
python3 -c "import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port))" 2>/dev/null \
  || { echo "port $port is busy: run DEMO_PORT=<free port> make demo" >&2; exit 2; }
(cd "$site" && exec python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1) & srv=$!
for _ in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/robots.txt')" 2>/dev/null && break; sleep 0.1; done
cat > var/demo-sources.toml <<TOML
[[source]]
id = "demo-local"
name = "Local copy of real policy documents (offline demo)"
government = "flemish"
domains = ["employment", "education"]
languages = ["nl", "fr"]
start_urls = ["http://127.0.0.1:$port/index.html"]
scope = ["http://127.0.0.1:$port/"]
cadence = "daily"
delay = 0.0
TOML
export MINER_DATABASE_URL=${MINER_DATABASE_URL:-sqlite:///$root/var/demo.db}
echo "store: $MINER_DATABASE_URL"
"$MINER" run --sources var/demo-sources.toml --allow-private-addresses || true
cat <<'NOTE'

About the summary: "skipped" is the page robots.txt disallows (never requested). "failed" are links
inside the copied real pages to files that are not part of the local copy (HTTP 404): the crawler
reports each one and records it as a dead letter (`miner failures`) instead of dropping it.
Run `make demo` again: the second crawl answers with 304s and analyses nothing anew, and the 404s
are not requested again (counted "skipped": a permanent failure backs off for a day, doubling;
docs/operations.md). `miner history URL`, `miner diff URL` and `miner health` read what changed.

NOTE
"$MINER" documents
