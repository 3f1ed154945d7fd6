// Package tokenomics is money and the token layer: denominations, the
// ledger every mint, burn and transfer goes through, and the monetary rules
// of Akash and of the compute networks it is compared with, each as
// parameters (a Params struct with a Default function and Validate) plus
// pure functions or small state machines that the simulation kernel calls.
//
// Money is integers. Every amount is an int64 in base units of its
// denomination (uakt, uusdc, uact = 1e-6 AKT, USDC, ACT). The Ledger keeps
// one balance per account and denomination together with supply, minted
// and burned totals, so conservation (supply = sum of balances, supply
// change = minted - burned) can be checked after every event
// (Ledger.Check). Rules return amounts or move tokens through a Ledger;
// their splits are exact (floors plus a remainder, or largest remainders),
// so the parts always sum to the whole.
//
// What the package holds (docs/model/akash.md and competitors.md cite
// the sources of every default):
//
//   - Settlement of withdrawals: Settle turns a provider's withdrawal
//     from escrow (amount, denomination, era, take rate, fee-burn share,
//     prices) into ledger postings in order: the take to the community
//     pool (Take, akash.md §3), the fee's buy-back and burn, the earnings
//     to the provider, or their burn in the burn-mint era (Render), and
//     the ACT the provider redeems through the BME; each posting carries
//     its buy flow at market. The kernel applies the postings and counts
//     them.
//   - Inflation and staking: the Cosmos SDK x/mint per-block inflation
//     controller and the x/distribution split of each provision into
//     community tax, validator commission and delegator rewards, block by
//     block and exact (MintParams, akash.md §4); and the holders' bonding
//     rule with its unbonding queue (StakingParams, Staking, akash.md
//     model spec §D.13).
//   - Emission schedules: geometric decay (io.net), yearly budgets with a
//     tail (Render), issuance halving (Bittensor) and linear release
//     (Nosana), behind one Emission interface (EmissionParams,
//     NewEmission).
//   - Burn-mint equilibrium: Akash v2.0.0's BME vault, ACT credits minted
//     by burning AKT and redeemed for AKT, with its collateral-ratio
//     circuit breaker (BMEParams, BME, akash.md §7), and a tenant's
//     purchase of credits (BME.BuyACT). Mints and redemptions execute at
//     once: neither the x/bme request queue nor its epoch delay is
//     modelled.
//   - Token price processes: constant, geometric Brownian motion, a
//     recorded CSV path (ParsePricePath) and an endogenous process moved
//     by net buy flow (PriceParams, NewPriceProcess).
//   - Incentive programs: USD subsidies per listed GPU-hour (AEP-26) or up
//     to a target utilization, within a window and a budget
//     (IncentiveProgram).
//   - Airdrop seasons: points per listed GPU-hour, a snapshot and a pro
//     rata claim (Season, io.net's Ignition seasons).
//   - Governance: timed parameter changes (GovernanceChange,
//     ValidateSchedule) and one table of the keys they may set
//     (Governable: each key's allowed values, what the kernel catches up
//     first, and a typed setter), which scenario validation and the kernel
//     both use; the kernel schedules each change as an event at its time.
//
// Params gathers them as the scenario's [tokenomics] table. The package
// decides nothing about when rules run: package sim calls inflation,
// emissions, incentives, seasons, staking and the price at its tokenomics
// epoch, Settle and the BME's mints and redemptions when escrow is funded
// and providers are paid, and governance changes at their times, and
// applies the results to the world.
//
// The package is a leaf: it imports only the standard library, gonum and
// simtime (simulated time), never the simulation kernel.
package tokenomics
