#!/usr/bin/env bash
# make e2e-slurm: run 'depinsim sweep --emit slurm' on a real one-node
# Slurm cluster (docs/cluster.md).
#
# Installs Slurm (slurmctld, slurmd, the client commands) and munge from
# the Debian packages when they are missing (apt-get; needs root), then
# starts munged, slurmctld and slurmd on 127.0.0.1 only, with every file
# (config, keys, state, logs) in a temporary folder. It submits the
# emitted job array of a small sweep (3 points x 2 replications in 3
# shards) and its dependent merge job, waits, and checks that every task
# and the merge completed and that the merged folder equals an unsharded
# local sweep byte for byte (every file but run.log.json). Then it makes
# one array task fail (its shard folder is a file) and checks that Slurm
# reports the task FAILED, the merge never runs and no merged folder
# appears. It stops every daemon it started, by PID, on exit.
#
# Exits 0 when every check passed, non-zero otherwise (the temporary
# folder is then kept and named). Environment: E2E_DEPINSIM, a depinsim
# binary to test instead of building one; E2E_SLURM_PORT, the first of
# the two TCP ports (default 16817 and 16818); E2E_TIMEOUT, seconds to
# wait for each job (default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
t0=$(date +%s)
port=${E2E_SLURM_PORT:-16817}
timeout=${E2E_TIMEOUT:-300}

say() { echo "e2e-slurm: $*"; }
fail() {
	echo "e2e-slurm: FAILED: $*" >&2
	exit 1
}

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
	[ "$(id -u)" = 0 ] || fail "Slurm and munge are not installed and installing them needs root (apt-get install slurmctld slurmd slurm-client munge)"
	say "installing slurmctld, slurmd, slurm-client and munge from the Debian packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
[ "$(id -u)" = 0 ] || fail "the one-node cluster runs its daemons as root (SlurmUser=root): run as root"

tmp=$(mktemp -d /tmp/depinsim-e2e-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
ok=0
# the job step daemons (slurmstepd) running before the cluster starts
stepds_before=" $( (pgrep -x slurmstepd || true) | tr '\n' ' ') "
cleanup() {
	# let the job steps of this cluster's jobs end (they are not killed:
	# slurmd started them), for at most 10 s
	for _ in $(seq 50); do
		local left=
		for p in $(pgrep -x slurmstepd || true); do
			case "$stepds_before" in *" $p "*) ;; *) left=1 ;; esac
		done
		[ -z "$left" ] && break
		sleep 0.2
	done
	# stop the daemons this script started, newest first, by PID
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill "${pids[i]}" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "$ok" = 1 ]; then
		rm -rf "$tmp"
	else
		echo "e2e-slurm: kept $tmp (slurm.conf, daemon logs in log/, job folders)" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge, on a socket and key of its own
mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log"
chmod 711 "$tmp/munge"
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$tmp/munge/munge.key"
munged --foreground --force --socket="$tmp/munge/munge.sock" --key-file="$tmp/munge/munge.key" \
	--pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munge.seed" --log-file="$tmp/log/munged.log" >"$tmp/log/munged.out" 2>&1 &
pids+=($!)

export SLURM_CONF="$tmp/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# one node on 127.0.0.1, no cgroups, no accounting database
ClusterName=e2e
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.sock
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
# no delay before starting batch jobs
SchedulerParameters=batch_sched_delay=0
# cancel a job whose dependency can no longer be satisfied (the merge
# after a failed array task) rather than leave it pending
DependencyParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
# keep finished jobs in the controller for scontrol (there is no sacct)
MinJobAge=3600
NodeName=e2e NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=e2e Nodes=e2e Default=YES MaxTime=INFINITE State=UP
EOF
for _ in $(seq 50); do [ -S "$tmp/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$tmp/munge/munge.sock" ] || fail "munged did not start (log: $tmp/log/munged.log)"

slurmctld -D -c -i >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N e2e >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
up=
for _ in $(seq 100); do
	if [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; then
		up=1
		break
	fi
	sleep 0.2
done
[ -n "$up" ] || fail "the node did not come up idle (sinfo: $(sinfo 2>&1 | tr '\n' ' '); logs in $tmp/log)"
say "one-node cluster up after $(($(date +%s) - t0)) s"

if [ -n "${E2E_DEPINSIM:-}" ]; then
	bin=$(realpath "$E2E_DEPINSIM")
else
	bin="$tmp/bin/depinsim"
	go build -o "$bin" ./cmd/depinsim
fi

# a small sweep: a file base (copied into the job's input/) and a --set
mkdir -p "$tmp/sweep"
"$bin" show akash-2024 >"$tmp/sweep/base.toml"
cat >"$tmp/sweep/e2e.toml" <<'EOF'
base = "base.toml"
design = "grid"
replications = 2
set = ["sim.horizon=2d", "sim.warmup=0s"]

[[param]]
key = "market.max_bids"
values = [5, 10, 20]
EOF
set_arg='description=e2e "quoted" $HOME [x]'

# wait_jobs ID...: wait until no job of the IDs is queued or running
wait_jobs() {
	local ids
	ids=$(
		IFS=,
		echo "$*"
	)
	for _ in $(seq $((timeout * 5))); do
		[ -z "$(squeue -h -j "$ids" -o %i 2>/dev/null)" ] && return 0
		sleep 0.2
	done
	fail "jobs $ids still queued or running after $timeout s (squeue: $(squeue 2>&1 | tr '\n' ' '))"
}

# states ID: "TASK STATE" for each task of an array job ("0 STATE" for
# a job), in task order
states() {
	scontrol -o show job "$1" | sed -E 's/^JobId=[0-9]+ .*ArrayTaskId=([0-9]+) .*JobState=([A-Z_]+) .*/\1 \2/; s/^JobId=[0-9]+ .*JobState=([A-Z_]+) .*/0 \1/' | sort -n
}

# emit DIR: write the sweep's job array and merge job into DIR
emit() {
	"$bin" sweep "$tmp/sweep/e2e.toml" --set "$set_arg" --emit slurm --shards 3 --depinsim-path "$bin" --out "$1" >"$1.emit.txt"
	grep -q 'sbatch --dependency=afterok' "$1.emit.txt" || fail "the emit printed no submit command: $(cat "$1.emit.txt")"
}

# submit DIR: submit DIR's job array and its dependent merge job, as the
# emit's printed command does; sets jid and mid
submit() {
	jid=$(sbatch --parsable "$1/sweep.sbatch")
	jid=${jid%%;*}
	mid=$(sbatch --parsable --dependency="afterok:$jid" "$1/merge.sbatch")
	mid=${mid%%;*}
}

# 1. the sweep in 3 shards, merged, equals the local sweep
emit "$tmp/ok"
submit "$tmp/ok"
say "submitted array job $jid and merge job $mid"
wait_jobs "$jid" "$mid"
got=$(states "$jid" | awk '{print $2}' | tr '\n' ' ')
[ "$got" = "COMPLETED COMPLETED COMPLETED " ] || fail "array job $jid: task states $got, want 3 x COMPLETED (logs: $tmp/ok/logs; task 1's: $(head -c 600 "$tmp/ok/logs/sweep-${jid}_1.out" | tr '\n' ' '))"
got=$(states "$mid" | awk '{print $2}')
[ "$got" = COMPLETED ] || fail "merge job $mid: $got, want COMPLETED (logs: $tmp/ok/logs)"
"$bin" sweep "$tmp/sweep/e2e.toml" --set "$set_arg" --out "$tmp/local" --quiet
[ -f "$tmp/ok/merged/sweep.json" ] || fail "no $tmp/ok/merged/sweep.json"
diff -r -x run.log.json "$tmp/local" "$tmp/ok/merged" >"$tmp/diff.txt" ||
	fail "the merged sweep differs from the local one: $(head -20 "$tmp/diff.txt")"
say "the merged sweep equals the local one ($(find "$tmp/local" -type f | wc -l) files, run.log.json aside)"

# 2. a failed array task is reported and stops the merge
emit "$tmp/bad"
# a file where task 2 writes its shard: its sweep cannot run
: >"$tmp/bad/shards/2"
submit "$tmp/bad"
say "submitted array job $jid (task 2 must fail) and merge job $mid"
wait_jobs "$jid" "$mid"
got=$(states "$jid" | awk '{print $2}' | tr '\n' ' ')
[ "$got" = "COMPLETED FAILED COMPLETED " ] || fail "array job $jid: task states $got, want COMPLETED FAILED COMPLETED"
got=$(states "$mid" | awk '{print $2}')
case "$got" in
CANCELLED) ;;
*) fail "merge job $mid after a failed task: $got, want CANCELLED (never run)" ;;
esac
[ ! -e "$tmp/bad/merged" ] || fail "a merged folder appeared after a failed task"
grep -q . "$tmp/bad/logs/sweep-${jid}_2.out" || fail "task 2's log $tmp/bad/logs/sweep-${jid}_2.out is empty"
say "the failed task was reported: task 2 FAILED, merge $mid CANCELLED; its log: $(head -c 300 "$tmp/bad/logs/sweep-${jid}_2.out" | tr '\n' ' ')"

ok=1
say "passed in $(($(date +%s) - t0)) s"
