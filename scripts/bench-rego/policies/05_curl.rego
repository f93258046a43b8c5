# METADATA
# title: No curl or wget in RUN (conftest style)
# custom: {code: BENCH5, input: conftest, kinds: dockerfile}
package bench.curl
import rego.v1
deny contains msg if {
	some instr in input[0]
	instr.Cmd == "run"
	some word in split(concat(" ", instr.Value), " ")
	word in {"curl", "wget"}
	msg := sprintf("line %d: RUN uses %s", [instr.StartLine, word])
}
