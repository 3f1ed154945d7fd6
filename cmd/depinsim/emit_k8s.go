package main

import (
	"fmt"
	"strconv"
	"strings"
)

// k8sDataDir is where the sweep's PersistentVolumeClaim is mounted in
// the pods; a sweep writes under k8sDataDir/<Job name>/.
const k8sDataDir = "/data"

// k8sInputDir is where the ConfigMap of the sweep's input files is
// mounted (read-only); the sweep runs there.
const k8sInputDir = "/depinsim/input"

// k8sConfigMapMax bounds the input files' total size (a ConfigMap holds
// at most 1 MiB).
const k8sConfigMapMax = 1000 * 1000

// k8s returns the files of --emit k8s: sweep-job.yaml (a ConfigMap of
// the input files and the Indexed Job) and merge-job.yaml.
func (j *emitJob) k8s(image, pvc string, parallelism int) ([]emitFile, error) {
	if image == "" {
		return nil, badInput("--emit k8s: --image is required: the container image holding depinsim and /bin/sh")
	}
	if strings.ContainsAny(image, " \t\n\r") {
		return nil, badInput("--image %q: an image reference has no spaces", image)
	}
	if !isDNSLabel(pvc) && !isDNSSubdomain(pvc) {
		return nil, badInput("--pvc %q: want a PersistentVolumeClaim name (lower case letters, digits, '-' and '.', at most 253 characters, starting and ending with a letter or digit)", pvc)
	}
	if parallelism < 0 {
		return nil, badInput("--parallelism: %d: want >= 1 (default: --shards)", parallelism)
	}
	if parallelism == 0 || parallelism > j.shards {
		parallelism = j.shards
	}
	size := 0
	for _, in := range j.inputs {
		size += len(in.data)
		if !isUTF8Text(in.data) {
			return nil, badInput("--emit k8s: %s is not UTF-8 text; a ConfigMap holds text", in.rel)
		}
	}
	if size > k8sConfigMapMax {
		return nil, badInput("--emit k8s: the input files are %d bytes; a ConfigMap holds at most %d", size, k8sConfigMapMax)
	}
	name := j.k8sName()
	data := k8sDataDir + "/" + name
	n := strconv.Itoa(j.shards)
	labels := func(ind string) string {
		return ind + "labels:\n" + ind + "  app.kubernetes.io/name: depinsim\n" + ind + "  app.kubernetes.io/instance: " + name + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s as a Kubernetes Indexed Job of %s shards (written by depinsim\n", capitalize(j.what), yamlComment(j.name), n)
	b.WriteString("# " + j.command + " --emit k8s). Pod I (JOB_COMPLETION_INDEX) runs shard I+1 into\n")
	fmt.Fprintf(&b, "# %s/shards/I+1 on the claim %s; a retried pod continues (--resume).\n", data, pvc)
	fmt.Fprintf(&b, "# When the Job is complete, apply merge-job.yaml.\n")
	if len(j.inputs) > 0 {
		b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "-input\n" + labels("  ") + "data:\n")
		for i, in := range j.inputs {
			fmt.Fprintf(&b, "  input-%d: %s", i+1, yamlText(in.data, "    "))
		}
		b.WriteString("---\n")
	}
	script := fmt.Sprintf(`i=$((JOB_COMPLETION_INDEX + 1)) && exec "$@" --shard "$i/%s" --out "%s/shards/$i"%s --resume`, n, data, j.progressArg())
	b.WriteString("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\n" + labels("  "))
	fmt.Fprintf(&b, "spec:\n  completionMode: Indexed\n  completions: %s\n  parallelism: %d\n  backoffLimitPerIndex: 2\n", n, parallelism)
	b.WriteString("  template:\n    metadata:\n" + labels("      ") + "    spec:\n      restartPolicy: Never\n      containers:\n")
	b.WriteString("        - name: " + j.command + "\n          image: " + yamlQuote(image) + "\n")
	if len(j.inputs) > 0 {
		b.WriteString("          workingDir: " + k8sInputDir + "\n")
	}
	b.WriteString("          command: [\"/bin/sh\", \"-c\", " + yamlQuote(script) + ", \"sh\"]\n")
	b.WriteString("          args:\n")
	for _, a := range append([]string{j.bin, j.command}, j.args...) {
		b.WriteString("            - " + yamlQuote(a) + "\n")
	}
	b.WriteString("          volumeMounts:\n")
	if len(j.inputs) > 0 {
		b.WriteString("            - name: input\n              mountPath: " + k8sInputDir + "\n              readOnly: true\n")
	}
	b.WriteString("            - name: data\n              mountPath: " + k8sDataDir + "\n")
	b.WriteString("      volumes:\n")
	if len(j.inputs) > 0 {
		b.WriteString("        - name: input\n          configMap:\n            name: " + name + "-input\n            items:\n")
		for i, in := range j.inputs {
			fmt.Fprintf(&b, "              - key: input-%d\n                path: %s\n", i+1, yamlQuote(in.rel))
		}
	}
	b.WriteString("        - name: data\n          persistentVolumeClaim:\n            claimName: " + pvc + "\n")

	var m strings.Builder
	fmt.Fprintf(&m, "# Merge the %s shards of %s %s into %s/merged (written by\n", n, j.what, yamlComment(j.name), data)
	m.WriteString("# depinsim " + j.command + " --emit k8s); apply it when the " + j.what + "'s Job is complete.\n")
	m.WriteString("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "-merge\n" + labels("  "))
	m.WriteString("spec:\n  backoffLimit: 0\n  template:\n    metadata:\n" + labels("      ") + "    spec:\n      restartPolicy: Never\n      containers:\n")
	m.WriteString("        - name: merge\n          image: " + yamlQuote(image) + "\n")
	inInput := j.mergeInInput && len(j.inputs) > 0
	if inInput {
		m.WriteString("          workingDir: " + k8sInputDir + "\n")
	}
	m.WriteString("          command: [" + yamlQuote(j.bin) + "]\n          args:\n")
	for _, a := range j.merge {
		if a != "merge" {
			a = yamlQuote(a)
		}
		m.WriteString("            - " + a + "\n")
	}
	for i := 1; i <= j.shards; i++ {
		fmt.Fprintf(&m, "            - %s/shards/%d\n", data, i)
	}
	fmt.Fprintf(&m, "            - --out\n            - %s/merged\n", data)
	m.WriteString("          volumeMounts:\n")
	if inInput {
		m.WriteString("            - name: input\n              mountPath: " + k8sInputDir + "\n              readOnly: true\n")
	}
	m.WriteString("            - name: data\n              mountPath: " + k8sDataDir + "\n")
	m.WriteString("      volumes:\n")
	if inInput {
		m.WriteString("        - name: input\n          configMap:\n            name: " + name + "-input\n            items:\n")
		for i, in := range j.inputs {
			fmt.Fprintf(&m, "              - key: input-%d\n                path: %s\n", i+1, yamlQuote(in.rel))
		}
	}
	m.WriteString("        - name: data\n          persistentVolumeClaim:\n            claimName: " + pvc + "\n")
	return []emitFile{{rel: j.command + "-job.yaml", data: []byte(b.String()), mode: 0o644}, {rel: "merge-job.yaml", data: []byte(m.String()), mode: 0o644}}, nil
}

// yamlQuote returns s as a YAML double-quoted scalar (Go's escapes are
// YAML's for valid UTF-8 text).
func yamlQuote(s string) string { return strconv.Quote(s) }

// yamlComment returns s fit for a comment line.
func yamlComment(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// yamlText returns data as the value of a mapping entry, ending with a
// newline: a literal block scalar indented by ind when it reads back
// exactly (one final newline, printable lines, no leading blank on the
// first), else a double-quoted scalar.
func yamlText(data []byte, ind string) string {
	s := string(data)
	block := strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, "\n\n") && !strings.HasPrefix(s, " ") && !strings.HasPrefix(s, "\n") && !strings.HasPrefix(s, "\t")
	for _, r := range s {
		if block && r != '\n' && r != '\t' && (r < ' ' || r == 0x7f || r == 0xfeff || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029) {
			block = false
		}
	}
	if !block {
		return yamlQuote(s) + "\n"
	}
	var b strings.Builder
	b.WriteString("|\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n") {
		if line == "\n" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(ind + line)
	}
	b.WriteString("\n")
	return b.String()
}

// isDNSLabel reports whether s is a DNS-1123 label.
func isDNSLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r == '-') {
			return false
		}
	}
	return true
}

// isDNSSubdomain reports whether s is a DNS-1123 subdomain.
func isDNSSubdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if !isDNSLabel(l) {
			return false
		}
	}
	return true
}
