package runner_test

import (
	"context"
	"fmt"
	"log"

	"github.com/depinsim/depinsim/runner"
	"github.com/depinsim/depinsim/scenarios"
	"github.com/depinsim/depinsim/sim"
)

// Run a preset over a short horizon and read the mean GPU utilization,
// with its 95% confidence interval across replications, from the
// summary.
func ExampleRun() {
	sc, err := scenarios.Load("akash-2024", []string{"sim.warmup=10d", "sim.horizon=20d", "sim.replications=3"})
	if err != nil {
		log.Fatal(err)
	}
	res, err := runner.Run(context.Background(), sc, runner.Options{})
	if err != nil {
		log.Fatal(err)
	}
	gpu := res.Summary().Metrics[sim.MGPUUtilization].TimeMean
	fmt.Printf("%s, %d replications of %v: GPU utilization %.2f (95%% CI %.2f to %.2f)\n",
		sc.Name, len(res.Replications), sc.Sim.Horizon.T(), gpu.Mean, gpu.CILow, gpu.CIHigh)
	// Output:
	// akash-2024, 3 replications of 20d: GPU utilization 0.48 (95% CI 0.32 to 0.64)
}

// Override scenario keys as 'depinsim run --set' does: here the auction
// becomes a second-price auction, and providers are paid more per
// GPU-hour for the same bids.
func ExampleRun_override() {
	ctx := context.Background()
	price := func(sets ...string) float64 {
		sets = append([]string{"sim.warmup=10d", "sim.horizon=20d", "sim.replications=2"}, sets...)
		sc, err := scenarios.Load("akash-2024", sets)
		if err != nil {
			log.Fatal(err)
		}
		res, err := runner.Run(ctx, sc, runner.Options{})
		if err != nil {
			log.Fatal(err)
		}
		return float64(res.Summary().Metrics[sim.MGPUPriceUSDHour].TimeMean.Mean)
	}
	first, second := price(), price("market.mechanism=vickrey-reverse")
	fmt.Printf("median GPU lease price: %.2f USD/h under the reverse auction, %.2f under the second-price auction\n", first, second)
	// Output:
	// median GPU lease price: 0.51 USD/h under the reverse auction, 0.70 under the second-price auction
}

// Keep every replication's recording in memory and read its samples.
func ExampleMemorySink() {
	sc, err := scenarios.Load("akash-2024", []string{"sim.warmup=10d", "sim.horizon=10d", "sim.sample_every=1d", "sim.replications=2"})
	if err != nil {
		log.Fatal(err)
	}
	sink := &runner.MemorySink{}
	if _, err := runner.Run(context.Background(), sc, runner.Options{Sink: sink}); err != nil {
		log.Fatal(err)
	}
	for _, rec := range sink.Recordings {
		last := rec.Values[rec.Len()-1]
		fmt.Printf("replication %d: %d daily samples, %.0f orders, %.0f leases started\n",
			rec.Rep, rec.Len(), last[sim.MOrdersTotal], last[sim.MLeasesStartedTotal])
	}
	// Output:
	// replication 0: 10 daily samples, 3862 orders, 3839 leases started
	// replication 1: 10 daily samples, 3791 orders, 3781 leases started
}
