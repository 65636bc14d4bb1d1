#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET from the project's fixtures and, if present, ../shared examples.
set -euo pipefail
target=${1:?usage: fuzz/seed.sh xml|json}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/fuzz/corpus/$target"
mkdir -p "$out"
case "$target" in
  xml) pattern='*.xml' ;;
  json) pattern='*.json' ;;
  edifact|edifact_validate) pattern='*.edi' ;;
  *) pattern='*' ;;
esac
find "$root/fixtures" -name "$pattern" -exec cp {} "$out/" \;
shared=${MEDCOM_SHARED:-$root/../shared}
if [ -d "$shared/medcom/fhir/examples" ]; then
  # `head` closes the pipe early; that is not a failure.
  { find "$shared/medcom/fhir/examples" -type f -name "$pattern" || true; } | head -200 | while read -r f; do
    cp "$f" "$out/$(sha1sum "$f" | cut -c1-16)"
  done || true
fi
legacy="$shared/medcom/legacy/files/glasdam_edifact_converter/test/complete/files/edifact"
if [ "$pattern" = '*.edi' ] && [ -d "$legacy" ]; then
  cp "$legacy"/*.edi "$out/"
fi
echo "seeded $(ls "$out" | wc -l) inputs into $out"
