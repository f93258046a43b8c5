# METADATA
# title: Final stage does not run as root
# custom: {code: BENCH2, severity: error, category: privilege, kinds: dockerfile}
package bench.nonroot
import rego.v1
users := [i | some i in input.stages[count(input.stages) - 1].instructions; i.keyword == "USER"]
deny contains {"msg": "the image runs as root", "location": users[count(users) - 1].location} if {
	count(users) > 0
	users[count(users) - 1].arguments[0] in {"root", "0", "root:root", "0:0"}
}
