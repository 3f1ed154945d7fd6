package reports

import (
	"os"
	"testing"
)

func BenchmarkZZWriteCharts(b *testing.B) {
	dir := os.Getenv("ZZDIR")
	if dir == "" {
		b.Skip()
	}
	run, err := ReadRun(dir)
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	b.ResetTimer()
	for range b.N {
		d := ChartDataOf(run.Recordings)
		if err := WriteCharts(out, d, Options{Start: "2024-03-20"}); err != nil {
			b.Fatal(err)
		}
	}
}
