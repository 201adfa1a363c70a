// Package termsafe makes text that came from devices, servers and files safe
// to print on a terminal. A switch description, an LLDP system name or a
// DHCP server's message can hold escape sequences (ESC ] 52 rewrites the
// clipboard, ESC ] 0 the window title, CSI moves the cursor and hides text),
// bidi controls that reorder what is shown (Trojan Source) and zero-width
// characters that make two names look alike. Escape and Line show all of
// them as visible escapes and keep every other character, letters of any
// script included, as it is.
//
// Only text output escapes: JSON output keeps the raw values, since JSON's
// own escaping already keeps control characters off the terminal.
package termsafe
