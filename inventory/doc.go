// Package inventory owns the file operators write to describe a
// Harvester-style cluster network: its schema (types.go), loading it from
// YAML, JSON or TOML with NETALIGN_SETTINGS_* environment overrides
// (LoadContext, LoadBytes), its defaults (ApplyDefaults), strict validation
// that reports every problem at once with the file and the field path
// (Validate, ValidationErrors), and the check of what it refers to outside
// itself (CheckReferences).
//
// Input is bounded before it is parsed (MaxFileSize, MaxDepth), parsed once,
// and its keys are matched exactly against the schema in one walk: unknown
// keys are errors with their line and the key probably meant. viper then
// merges the environment and decodes the values. Every string that could
// reach a device CLI or a generated configuration file is checked so that it
// cannot inject a command. Secrets are references (environment variables,
// files, SSH keys, the SSH agent); a clear-text password is rejected.
//
// The package imports no other netalign package. The bond-mode table lives
// in internal/intent, and what the drivers can run and render in their
// registries; callers hand them in through Options.
//
// docs/inventory.md is the operator's reference of every field.
package inventory
