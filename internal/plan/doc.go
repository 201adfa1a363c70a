// Package plan computes the typed changes that bring every device from its
// observed state to the desired state (Compute, pure and deterministic), and
// renders a plan as text or JSON. It also owns the LAG id allocation rules:
// pinned by the inventory, else reused from the LAG that already holds the
// members, else the lowest id free in the switch's range (and on its MLAG peer).
package plan
