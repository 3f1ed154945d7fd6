// Package sim is the discrete-event kernel and the world: simulated time,
// the event queue, random streams, the run loop, and the only code that
// mutates world state.
//
// A World is one replication built from a Config (catalog, provider and
// tenant cohorts, a market mechanism, the money parameters). Its Run pops
// events in (time, phase, sequence) order from a Queue; at one instant the
// phases run in the order of the Phase constants: arrivals, decisions,
// market clearing, settlement, tokenomics, sample. Agents (package agents)
// decide and the mechanism (package market) picks winners; World applies
// their results: leases, escrow deposits and settlement, withdrawals with
// the take, provider entry and exit. Every token moves through one
// tokenomics.Ledger, and CheckInvariants (run after every event when
// Config.Check is set) checks conservation, escrow cover, capacity and
// max prices.
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
// The kernel runs each kind of mechanism its own way (mechanisms.go,
// docs/mechanisms.md): auctions collect bids with deposits and reserved
// capacity over a selection window; platform-run mechanisms (market.Poster
// posted prices with peak multipliers repriced on a schedule, the tiers of
// market.Tiered with their waiting queues, market.Verifier single-solver
// tasks with solver stakes and disputes) clear an order at once;
// market.Batcher call markets clear every open order of a resource each
// period.
//
// A Recorder receives a Sample of the metrics in Metrics, of each
// resource and of each provider cohort at every sampling time; the model
// knows nothing about output formats.
package sim
