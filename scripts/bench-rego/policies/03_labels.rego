# METADATA
# title: Required labels
# custom: {code: BENCH3, severity: warning, category: style, kinds: dockerfile}
package bench.labels
import rego.v1
required := {"org.opencontainers.image.source"}
deny contains {"msg": sprintf("missing labels %v", [missing]), "location": final.instructions[0].location} if {
	count(input.stages) > 0
	final := input.stages[count(input.stages) - 1]
	keys := {i.arguments[n] | some i in final.instructions; i.keyword == "LABEL"; some n, _ in i.arguments; n % 2 == 0}
	missing := required - keys
	count(missing) > 0
}
