# A conftest policy for Dockerfiles, as written for `conftest test Dockerfile`: conftest's
# input shape (`input[0][i].Cmd`, `.Value`, `.StartLine`), package main, Rego v1.
package main

import rego.v1

denylist := {"curl", "wget"}

deny contains msg if {
	some instr in input[0]
	instr.Cmd == "run"
	some word in split(instr.Value[0], " ")
	word in denylist
	msg := sprintf("line %d: RUN uses `%s`; fetch files with ADD --checksum or a build stage", [instr.StartLine, word])
}

warn contains msg if {
	some instr in input[0]
	instr.Cmd == "from"
	endswith(instr.Value[0], ":latest")
	msg := sprintf("line %d: `%s` uses the latest tag", [instr.StartLine, instr.Value[0]])
}
