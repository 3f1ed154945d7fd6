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
)

// TestEmitSensitivitySlurm runs the scripts of 'depinsim sensitivity
// --emit slurm' with bash, as Slurm would (each array task, then the
// merge), with this binary as the depinsim they run: the merged folder
// is the one a direct run writes, byte for byte (run.log.json aside).
func TestEmitSensitivitySlurm(t *testing.T) {
	longOnly(t, "the Slurm scripts of a sensitivity analysis, run")
	bash, err := exec.LookPath("bash")
	if err != nil || runtime.GOOS == "windows" {
		t.Skip("no bash, or no #! scripts")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	dir := t.TempDir()
	file := writeSensitivity(t, tinySensitivity, "3d")
	wrapper := writeFile(t, filepath.Join(dir, "depinsim"), "#!/bin/sh\n"+asCLI+"=1 exec "+shellQuote(exe)+" \"$@\"\n")
	require.NoError(t, os.Chmod(wrapper, 0o755))
	out := filepath.Join(dir, "em")
	stdout := mustRun(t, "sensitivity", file, "--emit", "slurm", "--shards", "3", "--out", out, "--depinsim-path", wrapper, "--seed", "3", "--set", "sim.warmup=1d")
	assert.Contains(t, stdout, "sbatch --parsable "+out+"/sensitivity.sbatch")
	assert.Equal(t, readFile(t, file), readFile(t, filepath.Join(out, "input", "sa.toml")), "the file, copied")
	for i := 1; i <= 3; i++ {
		cmd := exec.Command(bash, filepath.Join(out, "sensitivity.sbatch"))
		cmd.Env = append(os.Environ(), "SLURM_ARRAY_TASK_ID="+strconv.Itoa(i), "SLURM_CPUS_PER_TASK=2")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "task %d: %s", i, b)
	}
	b, err := exec.Command(bash, filepath.Join(out, "merge.sbatch")).CombinedOutput()
	require.NoError(t, err, "merge: %s", b)
	direct := filepath.Join(dir, "direct")
	mustRun(t, "sensitivity", file, "--out", direct, "--seed", "3", "--set", "sim.warmup=1d", "--quiet")
	sameSensitivityFolder(t, direct, filepath.Join(out, "merged"))
}

// TestEmitSensitivityK8s: the merge Job of 'depinsim sensitivity --emit
// k8s' runs 'depinsim sensitivity --merge' in the mounted inputs; flags
// for the jobs only are refused with --emit.
func TestEmitSensitivityK8s(t *testing.T) {
	file := writeSensitivity(t, tinySensitivity, "3d")
	out := filepath.Join(t.TempDir(), "em")
	mustRun(t, "sensitivity", file, "--emit", "k8s", "--shards", "2", "--image", "img:1", "--out", out, "--reps", "3")
	job := string(readFile(t, filepath.Join(out, "sensitivity-job.yaml")))
	assert.Contains(t, job, "name: sens-sa\n")
	assert.Contains(t, job, "            - \"sensitivity\"\n            - \"./sa.toml\"\n            - \"--reps=3\"\n")
	merge := string(readFile(t, filepath.Join(out, "merge-job.yaml")))
	assert.Contains(t, merge, "          workingDir: /depinsim/input\n")
	assert.Contains(t, merge, "            - \"sensitivity\"\n            - \"--merge\"\n            - \"./sa.toml\"\n            - \"--reps=3\"\n            - /data/sens-sa/shards/1\n            - /data/sens-sa/shards/2\n            - --out\n")
	assert.Contains(t, merge, "name: sens-sa-input")
	for _, bad := range [][]string{{"--shard", "1/2"}, {"--resume"}} {
		code, _, stderr := cli(t, append([]string{"sensitivity", file, "--emit", "k8s", "--shards", "2", "--image", "i", "--out", out}, bad...)...)
		assert.Equal(t, exitUsage, code, stderr)
		assert.True(t, strings.Contains(stderr, "are for the emitted jobs"), stderr)
	}
	code, _, stderr := cli(t, "sensitivity", file, "--shards", "2")
	assert.Equal(t, exitUsage, code, stderr)
}
