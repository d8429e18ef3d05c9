using System.Text;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Benchmarks;

/// <summary>The flow definitions the benchmarks run, written as YAML and loaded through the real reader and validator.</summary>
public static class BenchFlows
{
    /// <summary>
    /// <c>set: { x: 0 }</c>, then <paramref name="steps"/> top-level <c>set: { x: "{{ vars.x + 1 }}" }</c> steps, then
    /// <c>outputs: { x }</c>. Top-level steps each write a checkpoint, as they do in production.
    /// </summary>
    public static string SetSteps(int steps)
    {
        var yaml = new StringBuilder()
            .AppendLine("kind: flow")
            .AppendLine("id: bench.set_steps")
            .AppendLine("name: Set steps")
            .AppendLine("version: 1")
            .AppendLine("outputs:")
            .AppendLine("  x: { type: integer }")
            .AppendLine("steps:")
            .AppendLine("  - set: { x: 0 }");
        for (var i = 0; i < steps; i++)
        {
            yaml.AppendLine("  - set: { x: \"{{ vars.x + 1 }}\" }");
        }

        return yaml.AppendLine("  - outputs: { x: \"{{ vars.x }}\" }").ToString();
    }

    /// <summary>
    /// The same <paramref name="steps"/> increments, nested in one <c>if</c> block: the same step work and records, but
    /// only the three top-level steps write checkpoints. Tells the cost of checkpointing apart from the rest.
    /// </summary>
    public static string NestedSetSteps(int steps)
    {
        var yaml = new StringBuilder()
            .AppendLine("kind: flow")
            .AppendLine("id: bench.nested_set_steps")
            .AppendLine("name: Nested set steps")
            .AppendLine("version: 1")
            .AppendLine("outputs:")
            .AppendLine("  x: { type: integer }")
            .AppendLine("steps:")
            .AppendLine("  - set: { x: 0 }")
            .AppendLine("  - id: block")
            .AppendLine("    if: \"{{ true }}\"")
            .AppendLine("    then:");
        for (var i = 0; i < steps; i++)
        {
            yaml.AppendLine("      - set: { x: \"{{ vars.x + 1 }}\" }");
        }

        return yaml.AppendLine("  - outputs: { x: \"{{ vars.x }}\" }").ToString();
    }

    /// <summary>A for_each over <c>inputs.items</c> with an <c>if</c> that appends the even items to a list.</summary>
    public const string ForEach = """
        kind: flow
        id: bench.for_each
        name: For each with if and append
        version: 1
        inputs:
          items: { type: array, items: { type: integer } }
        outputs:
          kept: { type: array, items: { type: integer } }
        steps:
          - set: { kept: [] }
          - id: loop
            for_each: "{{ inputs.items }}"
            as: item
            do:
              - id: check
                if: "{{ item % 2 == 0 }}"
                then:
                  - append: { to: vars.kept, value: "{{ item }}" }
          - outputs:
              kept: "{{ vars.kept }}"
        """;

    /// <summary>Reads and validates one definition; any error diagnostic fails loudly, so a benchmark never runs a broken flow.</summary>
    public static (Definition Definition, DefinitionSet Lookup) Load(StepHandlerRegistry registry, string file, string yaml)
    {
        var loader = new FlowLoader(registry.Catalog);
        var result = loader.LoadTexts([(file, yaml)]);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0 || result.Definitions.Count != 1)
        {
            throw new InvalidOperationException(
                $"benchmark flow {file} does not load: " + string.Join("; ", errors.Select(e => $"{e.Line}:{e.Column} {e.Code} {e.Message}")));
        }

        var lookup = new DefinitionSet();
        lookup.Add(result.Definitions[0]);
        return (result.Definitions[0], lookup);
    }
}
