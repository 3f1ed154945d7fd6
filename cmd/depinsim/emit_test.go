package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// emitSweepFile writes a two-point sweep over a base scenario in the
// subfolder "sub dir" of dir and returns the sweep file's path.
func emitSweepFile(t *testing.T, dir, name string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub dir"), 0o755))
	writeFile(t, filepath.Join(dir, "sub dir", "base.toml"), badBaseTOML)
	return writeFile(t, filepath.Join(dir, name), "base = \"sub dir/base.toml\"\ndesign = \"grid\"\nreplications = 2\n\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n")
}

// awkward are --set values that a shell would split or expand unquoted.
var awkward = []string{`description=it's "quoted" $HOME $(false) ` + "`false`" + ` [x] {y} * \n ;|&`, "description=two\nlines", "description= leading blank", "sim.horizon=2d"}

// TestEmitSlurm checks the scripts of --emit slurm: the array line, the
// inputs copied, and the sweep's command line as bash runs it (each
// argument intact, the shard from SLURM_ARRAY_TASK_ID).
func TestEmitSlurm(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("no bash, or no #! scripts")
	}
	dir := t.TempDir()
	sw := emitSweepFile(t, dir, "my sweep.toml")
	// the depinsim the job runs prints its arguments, NUL-separated
	printer := writeFile(t, filepath.Join(dir, "print args"), "#!/bin/sh\npwd > \"$0.cwd\"\nprintf '%s\\0' \"$@\" > \"$0.out\"\n")
	require.NoError(t, os.Chmod(printer, 0o755))
	out := filepath.Join(dir, "em")
	args := []string{"sweep", sw, "--emit", "slurm", "--shards", "3", "--out", out, "--depinsim-path", printer,
		"--slurm-opt=--partition=short", "--slurm-opt", "--time=1:00:00", "--independent-seeds"}
	for _, s := range awkward {
		args = append(args, "--set", s)
	}
	stdout := mustRun(t, args...)
	assert.Contains(t, stdout, "jid=$(sbatch --parsable "+out+"/sweep.sbatch) && sbatch --dependency=afterok:${jid%%;*} "+out+"/merge.sbatch")

	script := string(readFile(t, filepath.Join(out, "sweep.sbatch")))
	assert.Equal(t, []string{"--job-name=depinsim-sweep-my-sweep", "--array=1-3", "--output=" + out + "/logs/sweep-%A_%a.out", "--open-mode=append", "--partition=short", "--time=1:00:00"},
		sbatchOptions(script))
	assert.Equal(t, readFile(t, sw), readFile(t, filepath.Join(out, "input", "my sweep.toml")), "the sweep file, copied")
	assert.Equal(t, badBaseTOML, string(readFile(t, filepath.Join(out, "input", "sub dir", "base.toml"))), "the base, copied at its path")
	for _, d := range []string{"logs", "shards"} {
		fi, err := os.Stat(filepath.Join(out, d))
		require.NoError(t, err)
		assert.True(t, fi.IsDir(), d)
	}
	cmd := exec.Command(bash, "-n", filepath.Join(out, "sweep.sbatch"))
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "bash -n: %s", b)

	cmd = exec.Command(bash, filepath.Join(out, "sweep.sbatch"))
	cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID=2", "SLURM_CPUS_PER_TASK=4")
	b, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	want := []string{"sweep", "./my sweep.toml"}
	for _, s := range awkward {
		want = append(want, "--set="+s)
	}
	want = append(want, "--independent-seeds", "--shard", "2/3", "--out", out+"/shards/2", "--progress=plain", "--workers", "4", "--resume")
	assert.Equal(t, want, strings.Split(strings.TrimSuffix(string(readFile(t, printer+".out")), "\x00"), "\x00"))
	assert.Equal(t, filepath.Join(out, "input")+"\n", string(readFile(t, printer+".cwd")), "the task runs in input/")

	merge := string(readFile(t, filepath.Join(out, "merge.sbatch")))
	assert.Equal(t, []string{"--job-name=depinsim-sweep-my-sweep-merge", "--output=" + out + "/logs/merge-%j.out", "--partition=short", "--time=1:00:00"}, sbatchOptions(merge))
	cmd = exec.Command(bash, filepath.Join(out, "merge.sbatch"))
	b, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	assert.Equal(t, []string{"merge", out + "/shards/1", out + "/shards/2", out + "/shards/3", "--out", out + "/merged"},
		strings.Split(strings.TrimSuffix(string(readFile(t, printer+".out")), "\x00"), "\x00"))

	// a second emit into the folder is refused without --force
	code, _, stderr := cli(t, args...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "already holds sweep.sbatch; use --force")
	mustRun(t, append(args, "--force", "--workers", "3")...)
	assert.Contains(t, string(readFile(t, filepath.Join(out, "sweep.sbatch"))), "--workers=3 --shard")
	assert.NotContains(t, string(readFile(t, filepath.Join(out, "sweep.sbatch"))), "SLURM_CPUS_PER_TASK")
}

// sbatchOptions returns the options of a script's #SBATCH lines.
func sbatchOptions(script string) []string {
	var opts []string
	for _, m := range regexp.MustCompile(`(?m)^#SBATCH (.*)$`).FindAllStringSubmatch(script, -1) {
		opts = append(opts, m[1])
	}
	return opts
}

// TestEmitQuickSweep checks that --emit carries a quick sweep's --grid
// values and its scenario as given (the sweep's text names it).
func TestEmitQuickSweep(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "base.toml"), badBaseTOML)
	t.Chdir(dir)
	mustRun(t, "sweep", "./base.toml", "--grid", `description="x, y",$HOME [z]`, "--grid", "market.max_bids=5,6",
		"--emit", "slurm", "--shards", "2", "--out", "em", "--depinsim-path", "/opt/depinsim")
	script := string(readFile(t, filepath.Join(dir, "em", "sweep.sbatch")))
	assert.Contains(t, script, `exec /opt/depinsim sweep ./base.toml '--grid=description="x, y",$HOME [z]' --grid=market.max_bids=5,6 --shard "$SLURM_ARRAY_TASK_ID/2"`)
	assert.Equal(t, badBaseTOML, string(readFile(t, filepath.Join(dir, "em", "input", "base.toml"))))
	// a preset needs no input file
	mustRun(t, "sweep", "akash-2024", "--grid", "market.max_bids=5,6", "--emit", "k8s", "--shards", "2", "--out", "k8s", "--image", "x")
	job := string(readFile(t, filepath.Join(dir, "k8s", "sweep-job.yaml")))
	assert.NotContains(t, job, "ConfigMap")
	assert.Contains(t, job, `- "akash-2024"`)
}

// TestEmitBadInput checks that bad --emit flags are refused, naming the
// flag, and write nothing.
func TestEmitBadInput(t *testing.T) {
	dir := t.TempDir()
	sw := emitSweepFile(t, dir, "sw.toml")
	out := filepath.Join(dir, "em")
	outside := writeFile(t, filepath.Join(dir, "sub dir", "outside.toml"), "base = \"../sub dir/base.toml\"\ndesign = \"grid\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5]\n")
	badPoint := writeFile(t, filepath.Join(dir, "bad.toml"), "base = \"sub dir/base.toml\"\ndesign = \"grid\"\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, -3]\n")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{sw, "--shards", "2"}, "--shards is for --emit"},
		{[]string{sw, "--emit", "slurm"}, "--shards: 0:"},
		{[]string{sw, "--emit", "pbs", "--shards", "2"}, `--emit: "pbs": want slurm or k8s`},
		{[]string{sw, "--emit", "k8s", "--shards", "2"}, "--image is required"},
		{[]string{sw, "--emit", "k8s", "--shards", "2", "--image", "x", "--pvc", "Bad_Claim"}, `--pvc "Bad_Claim"`},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--image", "x"}, "--image and --parallelism are for --emit k8s"},
		{[]string{sw, "--emit", "k8s", "--shards", "2", "--image", "x", "--slurm-opt=--partition=x"}, "--slurm-opt is for --emit slurm"},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--slurm-opt=--array=1-9"}, "the emitted scripts set --array themselves"},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--slurm-opt=partition"}, "want one sbatch option"},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--depinsim-path", "bin/depinsim"}, "wants an absolute path"},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--out", filepath.Join(dir, "a b")}, "cannot hold the character ' '"},
		{[]string{outside, "--emit", "slurm", "--shards", "2"}, `base scenario "../sub dir/base.toml" is not a path under the sweep file's folder`},
		{[]string{badPoint, "--emit", "slurm", "--shards", "2"}, "point 1 (market.max_bids=-3)"},
		{[]string{sw, "--emit", "slurm", "--shards", "2", "--shard", "1/2"}, "--shard and --resume are for the emitted jobs"},
		{[]string{sw, "--emit", "k8s", "--shards", "2", "--image", "x", "--resume"}, "--shard and --resume are for the emitted jobs"},
	} {
		args := append([]string{"sweep"}, tc.args...)
		if !slices.Contains(args, "--out") {
			args = append(args, "--out", out)
		}
		code, _, stderr := cli(t, args...)
		assert.Equal(t, exitUsage, code, "%q: %s", tc.args, stderr)
		assert.Contains(t, stderr, tc.msg, "%q", tc.args)
		_, err := os.Stat(out)
		assert.True(t, os.IsNotExist(err), "%q wrote %s", tc.args, out)
	}
}

// TestK8sName checks that odd sweep names give DNS-1123 labels short
// enough for the Job's pods.
func TestK8sName(t *testing.T) {
	for in, want := range map[string]string{
		"akash take-rate":                   "sweep-akash-take-rate",
		"Odd_Name (v2)!":                    "sweep-odd-name-v2",
		"___":                               "sweep-sweep",
		"ünï":                               "sweep-n",
		strings.Repeat("a", 99):             "sweep-" + strings.Repeat("a", 31),
		"a" + strings.Repeat("-", 40) + "b": "sweep-a-b",
		strings.Repeat("x", 30) + "--yz":    "sweep-" + strings.Repeat("x", 30),
	} {
		got := k8sName(in)
		assert.Equal(t, want, got, in)
		assert.True(t, isDNSLabel(got) && len(got) <= 40, got)
	}
}
