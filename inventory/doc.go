// Package inventory owns the file operators write to describe a
// Harvester-style cluster network: its schema (types.go), loading it with
// viper from YAML, JSON or TOML with NETALIGN_SETTINGS_* environment
// overrides (Load, LoadBytes), its defaults (ApplyDefaults), and strict
// validation that reports every problem at once with the file and the field
// path (Validate, ValidationErrors).
//
// Unknown keys are errors. Every string that could reach a device CLI or a
// generated configuration file is checked so that it cannot inject a
// command. Secrets are references (environment variables, files, SSH keys,
// the SSH agent); a clear-text password is rejected.
//
// The package imports no other netalign package. The bond-mode table lives
// in internal/intent; callers hand its parser in through Options.
//
// docs/inventory.md is the operator's reference of every field.
package inventory
