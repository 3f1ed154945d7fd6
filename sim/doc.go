// Package sim is the discrete-event kernel and the world: simulated time,
// the event queue, random streams, the run loop, and the only code that
// mutates world state.
//
// A World is one replication built from a Config (catalog, provider and
// tenant cohorts, a market mechanism, the money parameters). Step pops
// the next event in (time, phase, sequence) order from a Queue and runs
// its handler; Run is `for w.Step() {}`. The event table (events.go)
// declares each event kind once, with its name, its phase and its handler;
// at one instant the phases run in the order of the Phase constants:
// arrivals, decisions, market clearing, settlement, tokenomics, sample.
// RunContext stops between events when its context is done.
//
// The World holds one value per concern, each in its own file with its
// own methods: providerSet (providers.go: who is in the market, free
// capacity, ask indexes, cohort totals), deploymentTable and the tenant
// cohorts (orders.go: arrivals, orders, retries), leaseTable (leases.go:
// starting and closing leases), escrowModule (escrow.go: deposits, lazy
// settlement per block, top-ups, withdrawals), chain (chain.go,
// incentives.go, governance.go: the ledger and its accounts, the token
// price, x/mint, staking, the burn-mint equilibrium, emissions, incentive
// programs, airdrop seasons, governance changes), marketView (view.go:
// what adaptive bid strategies see) and stats (sample.go, median.go:
// counters and the Sample). Agents (package agents) decide, the mechanism
// (package market) picks winners, and the monetary rules of package
// tokenomics say how money moves (a withdrawal's settlement is a list of
// ledger postings, tokenomics.Settle); the World applies their results.
//
// NewWorld picks one clearing driver from the mechanism's capabilities
// (clearing.go, docs/mechanisms.md), and only the driver knows the
// mechanism's kind: auctions collect bids with deposits and reserved
// capacity over a selection window, or clear at the cheapest ask from an
// ask index when every bid would be placed at once (auction.go); posted
// prices with peak multipliers and the tiers of market.Tiered with their
// waiting queues clear an order at once (platform.go); market.Batcher call
// markets clear every open order of a resource each period (batch.go);
// market.Verifier single-solver tasks lock solver stakes and settle
// disputes (verified.go). The kernel calls the driver when an order is
// posted, when leases start and close and when capacity comes and goes.
//
// Every token moves through one tokenomics.Ledger. Invariants lists the
// economic and structural invariants (tokens conserved, escrow covered,
// capacity never oversold, ...) as values; with Config.Check they are
// checked after every event or at every sample, and the first violation
// stops the run with an *InvariantError naming the invariant, the time,
// the event and the numbers.
//
// Randomness comes from named streams of one seed (Streams): a stream's
// draws depend only on the seed and its name, so adding a component does
// not perturb the others. A World uses "market" (bid order, random
// tie-breaks, candidate sampling), "leases" (provider lease closes),
// "verification" (checks of verified work), "token-price", per tenant cohort
// "tenants/NAME/arrivals", "tenants/NAME/demand" and
// "tenants/NAME/behaviour", and per provider cohort
// "providers/NAME/profiles", "providers/NAME/entry" and
// "providers/NAME/exit". Replication rep of a run has the seed
// ReplicationSeed(master, rep); package runner runs replications on a
// pool of workers, with the same results on any number of them.
//
// A Recorder receives a Sample of the metrics in Metrics, of each
// resource and of each provider cohort at every sampling time; the model
// knows nothing about output formats.
package sim
