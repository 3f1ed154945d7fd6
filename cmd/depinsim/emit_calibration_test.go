package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/depinsim/depinsim/calibrate"
)

// emitCalibrationText is a quick calibration of the scenario base.toml
// beside it (akash-2024 over 2 days): two starts of one generation, no
// polish, no profile.
const emitCalibrationText = `base = "base.toml"
seed = 7
replications = 2
check_replications = 2
set = ["sim.horizon=2d", "sim.warmup=0s"]
[search]
generations = 1
polish = 0
starts = 2
profile = 0
[[param]]
key = "tenants[2].arrivals_per_day"
min = 5
max = 60
scale = "log"
[[target]]
name = "gpu"
metric = "gpu_utilization"
stat = "mean"
min = 0.4
max = 0.6
`

// writeEmitCalibration writes emitCalibrationText as cal.toml and
// akash-2024 as its base.toml into a new folder and returns the
// calibration file's path.
func writeEmitCalibration(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "base.toml"), mustRun(t, "show", "akash-2024"))
	return writeFile(t, filepath.Join(dir, "cal.toml"), emitCalibrationText)
}

// TestEmitCalibrationSlurm runs the scripts of 'depinsim calibrate
// --emit slurm' with bash, as Slurm would (each array task, then the
// merge), with this binary as the depinsim they run: the merged folder
// is the one a direct calibration writes, byte for byte (run.log.json
// aside), and a task run again (a requeue) finds its shard finished.
func TestEmitCalibrationSlurm(t *testing.T) {
	longOnly(t, "the Slurm scripts of a calibration, run")
	bash, err := exec.LookPath("bash")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("no bash, or no #! scripts")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	file := writeEmitCalibration(t)
	wrapper := writeFile(t, filepath.Join(dir, "depinsim"), "#!/bin/sh\n"+asCLI+"=1 exec "+shellQuote(exe)+" \"$@\"\n")
	require.NoError(t, os.Chmod(wrapper, 0o755))
	out := filepath.Join(dir, "em")
	flags := []string{"--seed", "3", "--set", "sim.horizon=36h", "--no-report"}
	stdout := mustRun(t, append([]string{"calibrate", file, "--emit", "slurm", "--shards", "2", "--out", out, "--depinsim-path", wrapper,
		"--slurm-opt=--cpus-per-task=2"}, flags...)...)
	assert.Contains(t, stdout, "calibration cal: 2 start(s) in 2 shard(s) as a Slurm job array")
	assert.Contains(t, stdout, "sbatch --parsable "+out+"/calibrate.sbatch")
	assert.Equal(t, readFile(t, file), readFile(t, filepath.Join(out, "input", "cal.toml")), "the calibration file, copied")
	assert.Equal(t, readFile(t, filepath.Join(filepath.Dir(file), "base.toml")), readFile(t, filepath.Join(out, "input", "base.toml")), "its base, copied")
	script := string(readFile(t, filepath.Join(out, "calibrate.sbatch")))
	assert.Contains(t, script, "#SBATCH --array=1-2\n#SBATCH --output="+out+"/logs/calibrate-%A_%a.out\n")
	assert.Contains(t, script, "#SBATCH --cpus-per-task=2\n")
	assert.Contains(t, script, ` calibrate ./cal.toml --set=sim.horizon=36h --seed=3 --shard "$SLURM_ARRAY_TASK_ID/2" --out `+out+`/shards/"$SLURM_ARRAY_TASK_ID" --quiet --workers "${SLURM_CPUS_PER_TASK:-1}" --resume`+"\n")
	merge := string(readFile(t, filepath.Join(out, "merge.sbatch")))
	assert.Contains(t, merge, "cd "+out+"/input\n")
	assert.Contains(t, merge, ` calibrate ./cal.toml --set=sim.horizon=36h --seed=3 --no-report --merge \`)
	task := func(i int) {
		cmd := exec.Command(bash, filepath.Join(out, "calibrate.sbatch"))
		cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID="+strconv.Itoa(i), "SLURM_CPUS_PER_TASK=2")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "task %d: %s", i, b)
	}
	for i := 1; i <= 2; i++ {
		task(i)
		assert.FileExists(t, filepath.Join(out, "shards", strconv.Itoa(i), calibrate.ShardFile))
	}
	shard2 := snapshot(t, filepath.Join(out, "shards", "2"))
	task(2) // requeued: --resume replays the finished shard
	assert.Equal(t, shard2, snapshot(t, filepath.Join(out, "shards", "2")), "a finished shard run again is unchanged")
	b, err := exec.Command(bash, filepath.Join(out, "merge.sbatch")).CombinedOutput()
	require.NoError(t, err, "merge: %s", b)
	direct := filepath.Join(dir, "direct")
	mustRun(t, append([]string{"calibrate", file, "--out", direct, "--quiet"}, flags...)...)
	sa, sb := snapshot(t, direct), snapshot(t, filepath.Join(out, "merged"))
	delete(sa, calibrate.LogFile)
	delete(sb, calibrate.LogFile)
	require.NotEmpty(t, sa[calibrate.FittedSet])
	assert.NotContains(t, sa, "report.html", "--no-report")
	assert.Equal(t, sa, sb, "the merged calibration is the direct one")
}

// TestEmitCalibrationK8s: the Indexed Job of 'depinsim calibrate --emit
// k8s' runs the shards of the starts, its merge Job 'depinsim calibrate
// --merge' in the mounted inputs; bad --shards and the flags of the jobs
// are refused with exit code 2, nothing written.
func TestEmitCalibrationK8s(t *testing.T) {
	file := writeEmitCalibration(t)
	out := filepath.Join(t.TempDir(), "em")
	stdout := mustRun(t, "calibrate", file, "--emit", "k8s", "--shards", "2", "--image", "img:1", "--out", out, "--seed", "4", "--workers", "3", "--pvc", "cals")
	assert.Contains(t, stdout, "kubectl wait --for=condition=complete --timeout=24h job/cal-cal\n")
	job := string(readFile(t, filepath.Join(out, "calibrate-job.yaml")))
	assert.Contains(t, job, "kind: ConfigMap\nmetadata:\n  name: cal-cal-input\n")
	assert.Contains(t, job, "kind: Job\nmetadata:\n  name: cal-cal\n")
	assert.Contains(t, job, "  completions: 2\n  parallelism: 2\n")
	assert.Contains(t, job, `--out \"/data/cal-cal/shards/$i\" --quiet --resume"`)
	assert.Contains(t, job, "            - \"depinsim\"\n            - \"calibrate\"\n            - \"./cal.toml\"\n            - \"--seed=4\"\n            - \"--workers=3\"\n          volumeMounts:\n")
	assert.Contains(t, job, "              - key: input-1\n                path: \"cal.toml\"\n              - key: input-2\n                path: \"base.toml\"\n")
	assert.Contains(t, job, "            claimName: cals\n")
	merge := string(readFile(t, filepath.Join(out, "merge-job.yaml")))
	assert.Contains(t, merge, "  name: cal-cal-merge\n")
	assert.Contains(t, merge, "          workingDir: /depinsim/input\n")
	assert.Contains(t, merge, "          command: [\"depinsim\"]\n          args:\n            - \"calibrate\"\n            - \"./cal.toml\"\n            - \"--seed=4\"\n            - \"--workers=3\"\n            - \"--merge\"\n"+
		"            - /data/cal-cal/shards/1\n            - /data/cal-cal/shards/2\n            - --out\n            - /data/cal-cal/merged\n")

	fresh := filepath.Join(t.TempDir(), "none")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shards", "3"}, "--shards: 3: a calibration's shards split its 2 start(s) (" + file + ", search.starts): want 1 to 2"},
		{[]string{"--shards", "0"}, "--shards: 0: a calibration's shards split its 2 start(s)"},
		{[]string{"--shards", "2", "--shard", "1/2"}, "are for the emitted jobs"},
		{[]string{"--shards", "2", "--resume"}, "are for the emitted jobs"},
		{[]string{"--shards", "2", "--merge"}, "are for the emitted jobs"},
	} {
		code, _, stderr := cli(t, append([]string{"calibrate", file, "--emit", "k8s", "--image", "i", "--out", fresh}, tc.args...)...)
		assert.Equal(t, exitUsage, code, stderr)
		assert.True(t, strings.Contains(stderr, tc.want), "%v: %s", tc.args, stderr)
		assert.NoDirExists(t, fresh)
	}
	code, _, stderr := cli(t, "calibrate", file, "--shards", "2", "--out", fresh)
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "--shards is for --emit")
}
