package k8scheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// binDir holds the CLI that depinsim builds, for every test of the
// package; TestMain removes it.
var binDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildOnce builds the CLI for the first test that asks (a link of the
// CLI is some two seconds of CPU: each test linked its own before), or
// takes the one $DEPINSIM_BIN names (an absolute path: make test passes
// the bin/depinsim it has just built).
var buildOnce = sync.OnceValues(func() (string, error) {
	if bin := os.Getenv("DEPINSIM_BIN"); bin != "" {
		if !filepath.IsAbs(bin) {
			return "", fmt.Errorf("DEPINSIM_BIN %q: not an absolute path", bin)
		}
		return bin, nil
	}
	dir, err := os.MkdirTemp("", "k8scheck")
	if err != nil {
		return "", err
	}
	binDir = dir
	bin := filepath.Join(dir, "depinsim")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/depinsim")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// depinsim builds the CLI of the main module (two folders up) once and
// returns its path.
func depinsim(t *testing.T) string {
	t.Helper()
	bin, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// emit runs depinsim sweep --emit k8s in dir and returns its stdout.
func emit(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	return emitCommand(t, bin, dir, "sweep", args...)
}

// emitCommand runs depinsim COMMAND --emit k8s in dir and returns its
// stdout.
func emitCommand(t *testing.T, bin, dir, command string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{command}, args...)...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("depinsim %s %q: %v\nstdout:\n%s\nstderr:\n%s", command, args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// strict decodes one YAML document into v, refusing unknown fields.
func strict(t *testing.T, doc string, v any) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), v); err != nil {
		t.Fatalf("decode: %v\n%s", err, doc)
	}
}

// base is a small scenario: the sweep file's base.
func base(t *testing.T, bin string) []byte {
	out, err := exec.Command(bin, "show", "akash-2024").Output()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sweepText is a sweep file with a comment holding tabs, quotes and
// backslashes, and trailing blanks, which the ConfigMap must keep.
const sweepText = "# a sweep:\t\"quoted\" \\ 'single' $HOME [x] {y}   \nbase = \"sub dir/base file.toml\"\ndesign = \"grid\"\nreplications = 2\n\n[[param]]\nkey = \"market.max_bids\"\nvalues = [5, 20]\n"

func TestEmittedManifestsDecode(t *testing.T) {
	bin := depinsim(t)
	for _, tc := range []struct {
		name, file, text string
	}{
		{"block", "Odd_Name (v2)!.toml", sweepText},
		// no final newline: the ConfigMap holds a quoted string
		{"quoted", "--Ünïcode--.toml", strings.TrimSuffix(sweepText, "\n")},
		// a name with nothing of a DNS label
		{"empty-name", "___.toml", " " + sweepText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			baseData := base(t, bin)
			if err := os.MkdirAll(filepath.Join(dir, "sub dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sub dir", "base file.toml"), baseData, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			set := `description=it's "quoted" $HOME [x] {y} \n`
			stdout := emit(t, bin, dir, "./"+tc.file, "--emit", "k8s", "--shards", "3", "--parallelism", "2", "--out", "em",
				"--image", "registry.example/depinsim:v1", "--pvc", "sweeps", "--set", set, "--set", "sim.horizon=3d", "--independent-seeds")
			docs := regexp.MustCompile(`(?m)^---\n`).Split(string(readFile(t, filepath.Join(dir, "em", "sweep-job.yaml"))), -1)
			if len(docs) != 2 {
				t.Fatalf("sweep-job.yaml: want 2 documents (ConfigMap, Job), got %d", len(docs))
			}
			var cm corev1.ConfigMap
			strict(t, docs[0], &cm)
			var job batchv1.Job
			strict(t, docs[1], &job)

			name := job.Name
			if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
				t.Fatalf("Job name %q: %v", name, errs)
			}
			if len(name)+len("-99999") > 63 || len(name+"-merge") > 63 {
				t.Fatalf("Job name %q leaves no room for the pods' index suffix", name)
			}
			if !strings.Contains(stdout, "job/"+name) || !strings.Contains(stdout, "kubectl apply -f") {
				t.Fatalf("stdout names no kubectl commands for job/%s:\n%s", name, stdout)
			}
			if cm.Kind != "ConfigMap" || cm.APIVersion != "v1" || job.Kind != "Job" || job.APIVersion != "batch/v1" {
				t.Fatalf("kinds: %s %s, %s %s", cm.APIVersion, cm.Kind, job.APIVersion, job.Kind)
			}
			if errs := validation.IsDNS1123Subdomain(cm.Name); len(errs) > 0 {
				t.Fatalf("ConfigMap name %q: %v", cm.Name, errs)
			}
			if cm.Data["input-1"] != tc.text {
				t.Errorf("ConfigMap input-1 is not the sweep file:\n%q\nwant\n%q", cm.Data["input-1"], tc.text)
			}
			if cm.Data["input-2"] != string(baseData) {
				t.Errorf("ConfigMap input-2 is not the base scenario: %d bytes, want %d; data keys %v", len(cm.Data["input-2"]), len(baseData), len(cm.Data))
			}
			s := job.Spec
			if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
				t.Errorf("completionMode: %v, want Indexed", s.CompletionMode)
			}
			if s.Completions == nil || *s.Completions != 3 || s.Parallelism == nil || *s.Parallelism != 2 {
				t.Errorf("completions %v, parallelism %v: want 3, 2", s.Completions, s.Parallelism)
			}
			if s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex < 1 {
				t.Errorf("backoffLimitPerIndex: %v, want >= 1 (a retried pod resumes)", s.BackoffLimitPerIndex)
			}
			ps := s.Template.Spec
			if ps.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("restartPolicy %q: want Never (backoffLimitPerIndex needs it)", ps.RestartPolicy)
			}
			if len(ps.Containers) != 1 {
				t.Fatalf("%d containers", len(ps.Containers))
			}
			c := ps.Containers[0]
			if c.Image != "registry.example/depinsim:v1" {
				t.Errorf("image %q", c.Image)
			}
			wantArgs := []string{"depinsim", "sweep", "./" + tc.file, "--set=" + set, "--set=sim.horizon=3d", "--independent-seeds"}
			if !slices.Equal(c.Args, wantArgs) {
				t.Errorf("args:\n%q\nwant\n%q", c.Args, wantArgs)
			}
			// the volumes: the ConfigMap's items at the paths the sweep
			// names them by, the claim for the outputs
			vols := map[string]corev1.Volume{}
			for _, v := range ps.Volumes {
				vols[v.Name] = v
			}
			in, data := vols["input"], vols["data"]
			if in.ConfigMap == nil || in.ConfigMap.Name != cm.Name || len(in.ConfigMap.Items) != 2 ||
				in.ConfigMap.Items[0] != (corev1.KeyToPath{Key: "input-1", Path: tc.file}) ||
				in.ConfigMap.Items[1] != (corev1.KeyToPath{Key: "input-2", Path: "sub dir/base file.toml"}) {
				t.Errorf("input volume: %+v", in)
			}
			if data.PersistentVolumeClaim == nil || data.PersistentVolumeClaim.ClaimName != "sweeps" {
				t.Errorf("data volume: %+v", data)
			}
			mounts := map[string]corev1.VolumeMount{}
			for _, m := range c.VolumeMounts {
				mounts[m.Name] = m
			}
			if m := mounts["input"]; !m.ReadOnly || m.MountPath != c.WorkingDir {
				t.Errorf("input mount %+v, workingDir %q: want read-only at the working folder", m, c.WorkingDir)
			}
			dataDir := mounts["data"].MountPath + "/" + name
			// the shell command, run with index 1: the third argument
			// onwards arrive intact, then shard 2/3 into its folder
			if len(c.Command) != 4 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" {
				t.Fatalf("command %q: want /bin/sh -c SCRIPT sh", c.Command)
			}
			got := runScript(t, c.Command[2], c.Args, "1")
			want := append(slices.Clone(wantArgs[1:]), "--shard", "2/3", "--out", dataDir+"/shards/2", "--progress=plain", "--resume")
			if !slices.Equal(got, want) {
				t.Errorf("the pod runs:\n%q\nwant\n%q", got, want)
			}

			var merge batchv1.Job
			strict(t, string(readFile(t, filepath.Join(dir, "em", "merge-job.yaml"))), &merge)
			if merge.Name != name+"-merge" || merge.Spec.CompletionMode != nil && *merge.Spec.CompletionMode == batchv1.IndexedCompletion {
				t.Errorf("merge Job %q", merge.Name)
			}
			mc := merge.Spec.Template.Spec.Containers[0]
			wantMerge := []string{"merge", dataDir + "/shards/1", dataDir + "/shards/2", dataDir + "/shards/3", "--out", dataDir + "/merged"}
			if !slices.Equal(mc.Command, []string{"depinsim"}) || !slices.Equal(mc.Args, wantMerge) {
				t.Errorf("merge runs %q %q, want depinsim %q", mc.Command, mc.Args, wantMerge)
			}
			mv := merge.Spec.Template.Spec.Volumes
			if len(mv) != 1 || mv[0].PersistentVolumeClaim == nil || mv[0].PersistentVolumeClaim.ClaimName != "sweeps" ||
				len(mc.VolumeMounts) != 1 || mc.VolumeMounts[0].MountPath != mounts["data"].MountPath {
				t.Errorf("merge volumes %+v mounts %+v", mv, mc.VolumeMounts)
			}
			if merge.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("merge restartPolicy %q", merge.Spec.Template.Spec.RestartPolicy)
			}
		})
	}
}

// sensitivityText is a sensitivity file of the base "sub dir/base
// file.toml".
const sensitivityText = `base = "sub dir/base file.toml"
seed = 7
replications = 2
set = ["sim.horizon=3d"]
method = "morris"
samples = 2
[[factor]]
key = "market.max_bids"
dist = "uniform"
min = 5
max = 20
integer = true
[[output]]
name = "gpu"
metric = "gpu_utilization"
stat = "mean"
`

// calibrationText is a calibration file of the base "sub dir/base
// file.toml" with 3 starts.
const calibrationText = `base = "sub dir/base file.toml"
seed = 7
set = ["sim.horizon=3d"]
[search]
generations = 1
starts = 3
[[param]]
key = "tenants[2].arrivals_per_day"
min = 5
max = 60
[[target]]
name = "gpu"
metric = "gpu_utilization"
stat = "mean"
min = 0.4
max = 0.6
`

// TestEmittedAnalysisManifestsDecode decodes, strictly, the manifests of
// 'depinsim sensitivity --emit k8s' and 'depinsim calibrate --emit k8s':
// the ConfigMap holds the file and its base, the Indexed Job runs the
// shards in the mounted inputs, the merge Job runs the command's --merge
// there too.
func TestEmittedAnalysisManifestsDecode(t *testing.T) {
	bin := depinsim(t)
	for _, tc := range []struct {
		command, file, text, prefix string
		merge                       []string
	}{
		{"sensitivity", "sa.toml", sensitivityText, "sens-", []string{"sensitivity", "--merge", "./sa.toml", "--seed=3", "--no-report"}},
		{"calibrate", "cal.toml", calibrationText, "cal-", []string{"calibrate", "./cal.toml", "--seed=3", "--no-report", "--merge"}},
	} {
		t.Run(tc.command, func(t *testing.T) {
			dir := t.TempDir()
			baseData := base(t, bin)
			if err := os.MkdirAll(filepath.Join(dir, "sub dir"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "sub dir", "base file.toml"), baseData, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			emitCommand(t, bin, dir, tc.command, tc.file, "--emit", "k8s", "--shards", "3", "--out", "em",
				"--image", "registry.example/depinsim:v1", "--pvc", "analyses", "--seed", "3", "--no-report")
			docs := regexp.MustCompile(`(?m)^---\n`).Split(string(readFile(t, filepath.Join(dir, "em", tc.command+"-job.yaml"))), -1)
			if len(docs) != 2 {
				t.Fatalf("%s-job.yaml: want 2 documents (ConfigMap, Job), got %d", tc.command, len(docs))
			}
			var cm corev1.ConfigMap
			strict(t, docs[0], &cm)
			var job batchv1.Job
			strict(t, docs[1], &job)
			name := job.Name
			if errs := validation.IsDNS1123Label(name); len(errs) > 0 || !strings.HasPrefix(name, tc.prefix) || len(name+"-merge") > 63 {
				t.Fatalf("Job name %q: %v (want a DNS-1123 label starting with %s)", name, errs, tc.prefix)
			}
			if cm.Name != name+"-input" || cm.Data["input-1"] != tc.text || cm.Data["input-2"] != string(baseData) {
				t.Errorf("ConfigMap %q: the file and its base? keys %d", cm.Name, len(cm.Data))
			}
			s := job.Spec
			if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || *s.Completions != 3 {
				t.Errorf("completionMode %v, completions %v: want Indexed, 3", s.CompletionMode, s.Completions)
			}
			c := s.Template.Spec.Containers[0]
			wantArgs := []string{"depinsim", tc.command, "./" + tc.file, "--seed=3"}
			if !slices.Equal(c.Args, wantArgs) || c.WorkingDir == "" {
				t.Errorf("args %q in %q: want %q in the inputs", c.Args, c.WorkingDir, wantArgs)
			}
			got := runScript(t, c.Command[2], c.Args, "2")
			if !slices.Contains(got, "--shard") || !slices.Contains(got, "3/3") || got[len(got)-1] != "--resume" {
				t.Errorf("the pod runs %q: want shard 3/3, --resume", got)
			}

			var merge batchv1.Job
			strict(t, string(readFile(t, filepath.Join(dir, "em", "merge-job.yaml"))), &merge)
			mc := merge.Spec.Template.Spec.Containers[0]
			data := "/data/" + name
			wantMerge := append(slices.Clone(tc.merge), data+"/shards/1", data+"/shards/2", data+"/shards/3", "--out", data+"/merged")
			if merge.Name != name+"-merge" || !slices.Equal(mc.Command, []string{"depinsim"}) || !slices.Equal(mc.Args, wantMerge) {
				t.Errorf("merge Job %q runs %q %q, want depinsim %q", merge.Name, mc.Command, mc.Args, wantMerge)
			}
			vols := map[string]corev1.Volume{}
			for _, v := range merge.Spec.Template.Spec.Volumes {
				vols[v.Name] = v
			}
			in := vols["input"]
			if mc.WorkingDir != c.WorkingDir || in.ConfigMap == nil || in.ConfigMap.Name != cm.Name || len(in.ConfigMap.Items) != 2 ||
				in.ConfigMap.Items[1] != (corev1.KeyToPath{Key: "input-2", Path: "sub dir/base file.toml"}) {
				t.Errorf("the merge runs in %q with the input volume %+v: want the inputs, as the shards", mc.WorkingDir, in)
			}
			if d := vols["data"]; d.PersistentVolumeClaim == nil || d.PersistentVolumeClaim.ClaimName != "analyses" {
				t.Errorf("merge data volume %+v", d)
			}
		})
	}
}

// runScript runs the pod's shell command with args, the first replaced
// by a script printing its arguments, and returns them.
func runScript(t *testing.T, script string, args []string, index string) []string {
	t.Helper()
	dir := t.TempDir()
	printer := filepath.Join(dir, "print-args")
	if err := os.WriteFile(printer, []byte("#!/bin/sh\nprintf '%s\\0' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh", printer}, args[1:]...)...)
	cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+index)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", script, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
