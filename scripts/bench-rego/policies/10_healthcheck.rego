# METADATA
# title: Final stage has a HEALTHCHECK
# custom: {code: BENCH10, kinds: dockerfile, severity: info, category: correctness}
package bench.healthcheck
import rego.v1
deny contains {"msg": "no HEALTHCHECK in the final stage", "location": final.instructions[0].location} if {
	count(input.stages) > 0
	final := input.stages[count(input.stages) - 1]
	not any_healthcheck(final)
}
any_healthcheck(stage) if { some i in stage.instructions; i.keyword == "HEALTHCHECK" }
