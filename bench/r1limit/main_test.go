package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// r1Want is one row of docs/bench/r1.md §4.
type r1Want struct {
	orders, leases, unserved, pending, attempts, leaseEnds, samples, events int64
	meanPrice, util                                                         float64
}

func checkR1(t *testing.T, got result, want r1Want) {
	t.Helper()
	counts := []struct {
		name      string
		got, want int64
	}{
		{"orders", got.Orders, want.orders},
		{"leases", got.Leases, want.leases},
		{"unserved", got.Unserved, want.unserved},
		{"pending", got.Pending(), want.pending},
		{"attempts", got.Attempts, want.attempts},
		{"lease_ends", got.LeaseEnds, want.leaseEnds},
		{"samples", got.Samples, want.samples},
		{"events", got.Events(), want.events},
	}
	for _, c := range counts {
		if c.want >= 0 && c.got != c.want {
			t.Errorf("%s = %d, docs/bench/r1.md §4 says %d", c.name, c.got, c.want)
		}
	}
	if got.MeanPrice() != want.meanPrice {
		t.Errorf("mean_price = %v, §4 says %v", got.MeanPrice(), want.meanPrice)
	}
	if got.Util() != want.util {
		t.Errorf("util = %v, §4 says %v", got.Util(), want.util)
	}
}

// TestR1TenthOfAYear checks seed 1 over 876 h against §4, with both
// auctions (the figures §4 gives; -1 marks a count §4 leaves out).
func TestR1TenthOfAYear(t *testing.T) {
	want := r1Want{orders: 87500, leases: 68732, unserved: 17989, pending: 779, attempts: -1, leaseEnds: -1, samples: 876,
		events: 801749, meanPrice: 1.0038441478296969, util: 0.8957521404109589}
	for _, auction := range []string{"index", "scan"} {
		t.Run(auction, func(t *testing.T) {
			if auction == "scan" && testing.Short() {
				t.Skip("the scan auction over 876 h takes seconds: make test-long")
			}
			checkR1(t, run(1, 876, auction == "index", 1), want)
		})
	}
}

// TestR1FullYear checks seed 1 over the full year against §4's table.
func TestR1FullYear(t *testing.T) {
	if testing.Short() {
		t.Skip("a full year of R1 (about a second): make test-long")
	}
	checkR1(t, run(1, 8760, true, 1), r1Want{orders: 875830, leases: 688047, unserved: 186948, pending: 835,
		attempts: 7503878, leaseEnds: 686146, samples: 8760, events: 8198784,
		meanPrice: 1.0029467230316031, util: 0.90697218892694065})
}

// TestScaleMultipliesTheMarket checks that -scale K has K times the
// providers and about K times the orders, keeps the same load per
// provider, and leaves scale 1 untouched.
func TestScaleMultipliesTheMarket(t *testing.T) {
	one := run(1, 200, true, 1)
	four := run(1, 200, true, 4)
	if four.Providers != 4*one.Providers {
		t.Fatalf("providers: %d at scale 4, %d at scale 1", four.Providers, one.Providers)
	}
	ratio := float64(four.Orders) / float64(one.Orders)
	if ratio < 3.8 || ratio > 4.2 {
		t.Errorf("orders at scale 4 / scale 1 = %.3f, want about 4", ratio)
	}
	if d := four.Util() - one.Util(); d < -0.05 || d > 0.05 {
		t.Errorf("utilisation %.3f at scale 4 vs %.3f at scale 1: the load per provider should not change", four.Util(), one.Util())
	}
	// a segment tree over 4,000 providers has 4,096 leaves
	if mk := newMarket(make([]float64, 4000), true); mk.leaves != 4096 {
		t.Errorf("leaves = %d for 4,000 providers, want 4096", mk.leaves)
	}
}

// TestIndexEqualsScan checks on several seeds and scales that the two
// auctions choose the same winners (the same counts and mean price).
func TestIndexEqualsScan(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		for _, scale := range []int{1, 2} {
			a, b := run(seed, 60, true, scale), run(seed, 60, false, scale)
			if a != b {
				t.Errorf("seed %d scale %d: index %+v, scan %+v", seed, scale, a, b)
			}
		}
	}
}

// TestJSONLine checks that the output is one line of JSON with §3's keys.
func TestJSONLine(t *testing.T) {
	var buf bytes.Buffer
	writeJSON(&buf, run(1, 50, true, 1), "index", 1, 50, 1, 0)
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != 1 {
		t.Fatalf("%d lines, want 1: %s", n, buf.String())
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	for _, k := range []string{"orders", "leases", "unserved", "pending", "attempts", "lease_ends", "samples", "events", "mean_price", "util", "engine_events"} {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing: %s", k, buf.String())
		}
	}
	if m["events"].(float64) != m["attempts"].(float64)+m["lease_ends"].(float64)+m["samples"].(float64) {
		t.Errorf("events is not attempts + lease_ends + samples: %s", buf.String())
	}
}

// TestCheckRejectsBadFlags checks the flag validation.
func TestCheckRejectsBadFlags(t *testing.T) {
	for _, c := range []struct {
		auction string
		hours   float64
		scale   int
		rest    []string
	}{
		{"heap", 10, 1, nil}, {"index", 0, 1, nil}, {"index", -1, 1, nil}, {"index", 10, 0, nil},
		{"index", 8760, 1000, nil}, {"index", 10, 1, []string{"x"}},
	} {
		if err := check(c.auction, c.hours, c.scale, c.rest); err == nil {
			t.Errorf("check(%q, %v, %d, %v) accepted", c.auction, c.hours, c.scale, c.rest)
		}
	}
	if err := check("scan", 8760, 1, nil); err != nil {
		t.Errorf("R1's defaults rejected: %v", err)
	}
}
