#!/bin/bash
# convcheck's own overhead in campaigns, and the conformance suite's time on ref (issue 15):
#
#   bench/campaign_bench.sh [-o OUT_DIR] [-b BASE_CONVCHECK] [-k KIND,...] CONVCHECK
#
# KIND is torchvision (16 torchvision models, torch.onnx.torchscript at opset 17, backends ort
# and ref, 2 lanes), fuzz (40 generated models, torch.onnx.torchscript at opset 17, the fuzz
# default backends, 2 lanes) or conformance (`convcheck conformance --backend ref`); all three
# by default. Each runs once with CONVCHECK
# and, with -b, once with BASE_CONVCHECK (e.g. a build of the previous commit), so that every
# figure also reads as a ratio against the base, measured on the same machine minutes apart.
#
# Printed per run: wall time; the share of lane time the tools themselves worked (export,
# inference, the engines' load and run, as convcheck records them per job) and the rest, which
# is convcheck's overhead (worker start-up included: it is paid per lane, not per job); the
# engines' summed load and run seconds (ref.load against ref.run); user and system CPU time of
# the whole process tree (/usr/bin/time), and system over user. The databases and logs stay in
# OUT_DIR (default a fresh directory under /tmp).
set -eu
out=""
base=""
kinds=torchvision,fuzz,conformance
while getopts "o:b:k:" opt; do
  case $opt in
    o) out=$OPTARG ;;
    b) base=$OPTARG ;;
    k) kinds=$OPTARG ;;
    *) echo "usage: $0 [-o OUT_DIR] [-b BASE_CONVCHECK] [-k KIND,...] CONVCHECK" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ]; then
  echo "usage: $0 [-o OUT_DIR] [-b BASE_CONVCHECK] [-k KIND,...] CONVCHECK" >&2
  exit 2
fi
cur=$1
for bin in "$cur" $base; do
  [ -x "$bin" ] || { echo "campaign_bench.sh: $bin is not an executable" >&2; exit 2; }
done
[ -n "$out" ] || out=$(mktemp -d /tmp/convcheck_campaign_bench.XXXXXX)
mkdir -p "$out"

# The fuzz campaign's converter: TorchScript's exporter (torch 1.13), the one fuzzing used before
# the converters issue made torch.onnx.dynamo the default; a base binary older than that names
# it differently (BASE_FUZZ_FLAGS='--converter torch.onnx').
FUZZ_FLAGS=${FUZZ_FLAGS:---converters torch.onnx.torchscript --opsets 17}
BASE_FUZZ_FLAGS=${BASE_FUZZ_FLAGS:-$FUZZ_FLAGS}

models=resnet18,mobilenet_v3_small,mobilenet_v2,mobilenet_v3_large,squeezenet1_0,squeezenet1_1
models=$models,shufflenet_v2_x0_5,shufflenet_v2_x1_0,mnasnet0_5,mnasnet1_0,alexnet,googlenet
models=$models,efficientnet_b0,regnet_x_400mf,regnet_y_400mf,resnet34
models=${TORCHVISION_MODELS:-$models}  # a comma-separated list of builders instead

# run LABEL KIND BINARY: one measured run; prints one table row.
run() {
  local label=$1 kind=$2 bin=$3
  local db="$out/$label-$kind.sqlite" log="$out/$label-$kind.log" t="$out/$label-$kind.time"
  rm -f "$db" "$db"-* "$log" "$t"
  case $kind in
    torchvision)
      /usr/bin/time -f '%e %U %S' -o "$t" "$bin" campaign run --suite "torchvision:$models" \
        --converters torch.onnx.torchscript --opsets 17 --backends ort,ref --jobs 2 \
        --db "$db" >"$log" 2>&1 || true ;;
    fuzz)
      local flags=$FUZZ_FLAGS
      [ "$label" = current ] || flags=$BASE_FUZZ_FLAGS
      # shellcheck disable=SC2086 # flags are words
      /usr/bin/time -f '%e %U %S' -o "$t" "$bin" fuzz --count 40 --seed 1 --jobs 2 $flags \
        --db "$db" >"$log" 2>&1 || true ;;
    conformance)
      /usr/bin/time -f '%e %U %S' -o "$t" "$bin" conformance --backend ref >"$log" 2>&1 || true ;;
  esac
  local wall user sys
  read -r wall user sys < <(tail -n 1 "$t") || { echo "| $label | $kind | failed: see $log |"; return; }
  if [ "$kind" = conformance ]; then
    local summary
    summary=$(grep -E '^suite .*, backend ' "$log" | paste -sd ' ' -)
    printf '| %s | %s | %.1f s | - | - | - | %.1f s | %.1f s | %.2f | %s |\n' "$label" "$kind" \
      "$wall" "$user" "$sys" "$(echo "$sys / ($user + 0.001)" | bc -l)" "$summary"
    return
  fi
  local tools jobs lanes=2 lane_s tool_s ref_load ref_run ort_load ort_run
  # Lane time: the run's wall time on every lane (an idle lane counts against convcheck).
  jobs=$(sqlite3 "$db" "SELECT count(*) FROM jobs WHERE status = 'done'")
  tool_s=$(sqlite3 "$db" "SELECT coalesce(sum(seconds), 0) FROM stage_times WHERE kind = 'tool' \
    AND (stage IN ('export', 'inference', 'build') OR stage LIKE '%.load' OR stage LIKE '%.run')")
  ref_load=$(sqlite3 "$db" "SELECT coalesce(sum(seconds), 0) FROM stage_times WHERE kind = 'tool' \
    AND stage = 'ref.load'")
  ref_run=$(sqlite3 "$db" "SELECT coalesce(sum(seconds), 0) FROM stage_times WHERE kind = 'tool' \
    AND stage = 'ref.run'")
  ort_load=$(sqlite3 "$db" "SELECT coalesce(sum(seconds), 0) FROM stage_times WHERE kind = 'tool' \
    AND stage = 'ort.load'")
  ort_run=$(sqlite3 "$db" "SELECT coalesce(sum(seconds), 0) FROM stage_times WHERE kind = 'tool' \
    AND stage = 'ort.run'")
  lane_s=$(echo "$wall * $lanes" | bc -l)
  tools=$(echo "100 * $tool_s / $lane_s" | bc -l)
  printf '| %s | %s | %.1f s (%d jobs) | %.0f%% | %.0f%% | ref %.2f / %.2f s, ort %.2f / %.2f s | %.1f s | %.1f s | %.2f | %s |\n' \
    "$label" "$kind" "$wall" "$jobs" "$tools" "$(echo "100 - $tools" | bc -l)" \
    "$ref_load" "$ref_run" "$ort_load" "$ort_run" "$user" "$sys" \
    "$(echo "$sys / ($user + 0.001)" | bc -l)" "$(grep -o 'tools [0-9]*% of lane time' "$log" || true)"
}

echo "uptime: $(uptime)"
echo "output: $out"
echo
echo "| binary | kind | wall | tools' share of lane time | convcheck's share | engine load / run (summed) | user | sys | sys/user | convcheck's own line |"
echo "|---|---|---|---|---|---|---|---|---|---|"
IFS=, read -r -a kind_list <<<"$kinds"
for kind in "${kind_list[@]}"; do
  case $kind in
    torchvision | fuzz | conformance) ;;
    *) echo "campaign_bench.sh: unknown kind '$kind' (torchvision, fuzz, conformance)" >&2; exit 2 ;;
  esac
  run current "$kind" "$cur"
  [ -z "$base" ] || run base "$kind" "$base"
done
echo
echo "Where the lanes' time went, summed over jobs (s): stage wall times as convcheck measured them"
echo "(source, convert, validate, run:ENGINE, compare, keep, total) and the tools' own (tool:...)"
for db in "$out"/*.sqlite; do
  [ -e "$db" ] || continue
  printf '%s: ' "$(basename "$db" .sqlite)"
  sqlite3 "$db" "SELECT group_concat(kind || ':' || stage || ' ' || printf('%.1f', s), ', ') FROM \
    (SELECT kind, stage, sum(seconds) AS s FROM stage_times GROUP BY kind, stage ORDER BY kind DESC, s DESC)"
done
echo
echo "uptime: $(uptime)"
