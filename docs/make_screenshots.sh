#!/usr/bin/env bash
# Make the README's report images from a scripted ledger: seven weeks of a transport and
# industry desk (IMTRACK_NOW fixes the clock of each step), then
#   docs/report.html, docs/report.docx      the two formats of `imtrack report`
#   docs/report-html.png                    the HTML page in headless Chromium (Debian: chromium)
#   docs/report-docx.png                    the bulletin's first page: LibreOffice converts the
#                                           .docx to PDF, pdftoppm (poppler-utils) renders page 1
# Needs: imtrack on PATH (or IMTRACK=path/to/imtrack), chromium, fonts-noto-cjk, and for the
# bulletin's picture libreoffice-writer-nogui and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")"
imtrack=${IMTRACK:-imtrack}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export IMTRACK_DB="$work/ledger.json" IMTRACK_LANG=zh

at() { IMTRACK_NOW="$1T10:00:00+08:00" "$imtrack" "${@:2}" >/dev/null; }

at 2026-10-12 list                                   # the seed's 34 measures, recorded on 10-12
at 2026-10-13 update 17 25 26 27 28 30 --lead 交通运输厅 --yes
at 2026-10-13 update 1 2 3 4 5 --lead 科技厅 --yes
at 2026-10-13 update 8 9 10 11 12 --lead 工业和信息化厅 --yes
at 2026-10-13 update 26 --due 2026-11-18
at 2026-10-13 update 9 --due 2026-11-10
at 2026-10-13 update 10 11 --due 2026-11-20 --yes
at 2026-10-14 set-status 25 推进中 --note "可研已报国家发展改革委"
at 2026-10-15 set-status 1 2 3 推进中 --yes
at 2026-10-20 set-status 27 已完成 --note "安全防护设施已验收"
at 2026-10-22 set-status 4 5 推进中 --yes
at 2026-10-28 set-status 1 已完成
at 2026-11-03 set-status 12 受阻 --note "用地指标未落实"
at 2026-11-05 set-status 2 已完成
at 2026-11-10 set-status 17 28 推进中 --yes
at 2026-11-12 set-status 3 4 已完成 --yes
at 2026-11-17 note 26 "剩余两个口岸高速接通段下周通车"
at 2026-11-19 set-status 30 已完成
at 2026-11-24 set-status 5 25 已完成 --yes

export IMTRACK_NOW=2026-11-27T16:00:00+08:00
"$imtrack" report --format html --since 2026-10-12 --output report.html
"$imtrack" report --format docx --since 2026-10-12 --output report.docx

chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=820,1900 \
    --screenshot="$PWD/report-html.png" "file://$PWD/report.html" 2>/dev/null
if command -v soffice >/dev/null && command -v pdftoppm >/dev/null; then
    soffice --headless --convert-to pdf --outdir "$work" report.docx >/dev/null
    pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$work/report.pdf" report-docx
else
    echo "no LibreOffice or pdftoppm: docs/report-docx.png not remade" >&2
fi
