// Package k8scheck tests the Kubernetes manifests that 'depinsim sweep
// --emit k8s' (and sensitivity's and calibrate's --emit k8s) writes by
// decoding them, strictly, with the Kubernetes API types. It is a module of its own so that k8s.io/api and its
// dependencies stay out of depinsim's go.mod: it builds the CLI from the
// main module two folders up and runs it. make test runs it.
package k8scheck
