# METADATA
# title: No latest tag (conftest style)
# custom: {code: BENCH6, input: conftest, kinds: dockerfile, severity: warning}
package bench.latest
import rego.v1
deny contains {"msg": sprintf("%s uses latest", [instr.Value[0]]), "line": instr.StartLine} if {
	some instr in input[0]
	instr.Cmd == "from"
	endswith(instr.Value[0], ":latest")
}
