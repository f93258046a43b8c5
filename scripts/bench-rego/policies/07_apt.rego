# METADATA
# title: apt-get install with --no-install-recommends (conftest style)
# custom: {code: BENCH7, input: conftest, kinds: dockerfile, severity: info, category: efficiency}
package bench.apt
import rego.v1
deny contains msg if {
	some instr in input[0]
	instr.Cmd == "run"
	cmd := concat(" ", instr.Value)
	contains(cmd, "apt-get install")
	not contains(cmd, "--no-install-recommends")
	msg := sprintf("line %d: apt-get install without --no-install-recommends", [instr.StartLine])
}
