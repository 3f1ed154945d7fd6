// Package tokenomics is money: denominations, the ledger every mint, burn
// and transfer goes through, take rates, and the token price.
//
// Every amount is an int64 in base units of its denomination (uakt =
// 1e-6 AKT, uusdc = 1e-6 USDC). The Ledger keeps one balance per account
// and denomination together with supply, minted and burned totals, so
// conservation (supply = sum of balances, supply change = minted - burned)
// can be checked after every event (Ledger.Check).
//
// This is the money layer of the Akash take-rate era (2023-08 to 2026-03,
// ../shared/model/akash.md §3): lease payments in AKT or USDC, a take rate
// per denomination deducted at provider withdrawal and sent to the
// community pool. Later work grows it with inflation, staking, burns,
// incentive programs and token-price processes.
//
// The package is a leaf: it imports only the standard library.
package tokenomics
