using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;

namespace FlowEngine.Definitions.Tests;

public sealed class ValidationTests
{
    private static readonly FlowLoader Loader = new(StepTypeCatalog.CreateDefault());

    private const string ListUsers = """
        kind: action
        id: vendor.list_users
        version: 1
        inputs:
          page_size: { type: integer, default: 100 }
          region: { type: string }
        outputs:
          users: { type: array, items: { type: object } }
        steps:
          - outputs: { users: [] }
        """;

    private static LoadResult Load(params (string File, string Text)[] files) => Loader.LoadTexts(files);

    private static Diagnostic Single(LoadResult result, string code)
    {
        var matching = result.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(matching.Count == 1, $"expected one {code}, got: {string.Join("\n", result.Diagnostics)}");
        return matching[0];
    }

    [Fact]
    public void Load_MisspelledStepReference_SuggestsTheStepWithPosition()
    {
        var result = Load(("flows/a.yaml", """
            kind: subflow
            id: demo.a
            version: 1
            steps:
              - id: list_users
                set: { users: [] }
              - id: count
                log: "{{ length(steps.lsit_users.outputs) }}"
            """), ("flows/list.yaml", ListUsers));
        var d = Single(result, Codes.UnknownReference);
        Assert.Equal("no step 'lsit_users'; did you mean 'list_users'?", d.Message);
        Assert.Equal(("flows/a.yaml", 8, 21, "count"), (d.File, d.Line, d.Column, d.StepId));
    }

    [Fact]
    public void Load_UnknownKeyInStep_NamesTheKeyAndSuggests()
    {
        var result = Load(("f.yaml", """
            kind: subflow
            id: demo.a
            version: 1
            steps:
              - id: loop
                for_each: "{{ [] }}"
                as: x
                doo:
                  - log: hi
            """));
        var unknown = Single(result, Codes.UnknownKey);
        Assert.Contains("unknown key 'doo' in a 'for_each' step; did you mean 'do'?", unknown.Message, StringComparison.Ordinal);
        Assert.Equal((8, 5, "loop"), (unknown.Line, unknown.Column, unknown.StepId));
        var missing = Single(result, Codes.MissingKey);
        Assert.Contains("needs 'do'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CallProblems_AreAllReportedWithPositions()
    {
        var result = Load(("flows/caller.yaml", """
            kind: flow
            id: demo.caller
            version: 1
            inputs:
              names: { type: array, items: { type: string } }
            steps:
              - id: missing_region
                call: vendor.list_users
                with: { page_size: "{{ inputs.names }}", colour: red }
              - id: no_such
                call: vendor.list_usres
              - id: bad_version
                call: vendor.list_users@7
                with: { region: eu }
              - id: fine
                call: vendor.list_users
                with: { region: "{{ steps.missing_region.outputs.userz }}" }
            """), ("flows/list.yaml", ListUsers));

        var mismatch = Single(result, Codes.TypeMismatch);
        Assert.Equal("input 'page_size' of vendor.list_users is integer, but this value is array of string", mismatch.Message);
        Assert.Equal((9, 24, "missing_region"), (mismatch.Line, mismatch.Column, mismatch.StepId));

        var unknownInput = Single(result, Codes.UnknownInput);
        Assert.StartsWith("vendor.list_users has no input 'colour'", unknownInput.Message, StringComparison.Ordinal);

        var missing = Single(result, Codes.MissingInput);
        Assert.Equal("vendor.list_users needs input 'region' (string); add it under 'with'", missing.Message);
        Assert.Equal((8, 11), (missing.Line, missing.Column));

        var unknownDefinition = Single(result, Codes.UnknownDefinition);
        Assert.Contains("no action or subflow 'vendor.list_usres'; did you mean 'vendor.list_users'?", unknownDefinition.Message, StringComparison.Ordinal);
        Assert.Equal((11, 11, "no_such"), (unknownDefinition.Line, unknownDefinition.Column, unknownDefinition.StepId));

        var version = Single(result, Codes.UnknownVersion);
        Assert.Equal("'vendor.list_users' has no version 7; known versions: 1", version.Message);

        var output = Single(result, Codes.UnknownReference);
        Assert.StartsWith("vendor.list_users has no output 'userz'; did you mean 'users'?", output.Message, StringComparison.Ordinal);
        Assert.Equal(17, output.Line);
        Assert.DoesNotContain(result.Definitions, d => d.Id == "demo.caller");
    }

    [Fact]
    public void Load_InputsVariablesAndRoots_ThatDoNotExist_AreErrors()
    {
        var result = Load(("f.yaml", """
            kind: subflow
            id: demo.refs
            version: 1
            inputs:
              users: { type: array }
            steps:
              - set: { total: 0 }
              - id: a
                log: "{{ inputs.usres }} {{ vars.totl }} {{ usr.name }}"
            """));
        var messages = result.Diagnostics.Where(d => d.Code == Codes.UnknownReference).Select(d => (d.Message, d.Column)).ToList();
        Assert.Equal(3, messages.Count);
        Assert.StartsWith("no input 'usres'; did you mean 'users'?", messages[0].Message, StringComparison.Ordinal);
        Assert.Equal(14, messages[0].Column);
        Assert.StartsWith("no variable 'totl' is set in this definition; did you mean 'total'?", messages[1].Message, StringComparison.Ordinal);
        Assert.StartsWith("'usr' is not defined here", messages[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LoopVariable_IsVisibleOnlyInsideTheLoop()
    {
        var result = Load(("f.yaml", """
            kind: subflow
            id: demo.scope
            version: 1
            inputs:
              users: { type: array }
            steps:
              - id: loop
                for_each: "{{ inputs.users }}"
                as: user
                do:
                  - log: "{{ user.email }} #{{ index }}"
              - id: after
                log: "{{ user.email }}"
            """));
        var d = Single(result, Codes.UnknownReference);
        Assert.Equal(("after", 13), (d.StepId, d.Line));
    }

    [Fact]
    public void Load_DuplicateStepIds_ReportsTheSecond()
    {
        var result = Load(("f.yaml", """
            kind: subflow
            id: demo.dup
            version: 1
            steps:
              - id: same
                log: one
              - id: loop
                for_each: "{{ [] }}"
                do:
                  - id: same
                    log: two
            """));
        var d = Single(result, Codes.DuplicateStepId);
        Assert.Equal((10, 13, "same"), (d.Line, d.Column, d.StepId));
    }

    [Fact]
    public void Load_CallCycleAcrossFiles_IsReportedOnce()
    {
        var result = Load(
            ("a.yaml", "kind: subflow\nid: demo.a\nversion: 1\nsteps:\n  - id: to_b\n    call: demo.b\n"),
            ("b.yaml", "kind: subflow\nid: demo.b\nversion: 1\nsteps:\n  - id: to_a\n    call: demo.a\n"));
        var d = Single(result, Codes.CallCycle);
        Assert.Contains("demo.a → demo.b → demo.a", d.Message.Replace("demo.b → demo.a → demo.b", "demo.a → demo.b → demo.a", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(result.Definitions);
    }

    [Fact]
    public void Load_TypeMismatches_WhereTypesAreKnown()
    {
        var result = Load(("f.yaml", """
            kind: subflow
            id: demo.types
            version: 1
            inputs:
              count: { type: integer }
              token: { type: secret }
            outputs:
              label: { type: string }
            steps:
              - id: loop
                for_each: "{{ inputs.count }}"
                do: [ { log: x } ]
              - outputs:
                  label: "{{ inputs.token }}"
            """));
        var mismatches = result.Diagnostics.Where(d => d.Code == Codes.TypeMismatch).ToList();
        Assert.Equal(2, mismatches.Count);
        Assert.Equal("'for_each' of a 'for_each' step must be array, but this is integer", mismatches[0].Message);
        Assert.Equal("output 'label' is string, but this value is secret", mismatches[1].Message);
    }

    [Fact]
    public void Load_ManyProblemsInOneFile_ReportsAllOfThem()
    {
        var result = Load(("f.yaml", """
            kind: subflo
            id: Demo
            version: 0
            colour: blue
            steps:
              - lgo: x
              - id: a
                fail: "{{ 1 + }}"
            """));
        var codes = result.Diagnostics.Select(d => d.Code).ToList();
        Assert.Contains(Codes.InvalidValue, codes);
        Assert.Contains(Codes.WrongType, codes);
        Assert.Contains(Codes.UnknownKey, codes);
        Assert.Contains(Codes.UnknownStepType, codes);
        Assert.Contains(Codes.ExpressionSyntax, codes);
        Assert.True(result.Diagnostics.Count >= 6, string.Join("\n", result.Diagnostics));
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("did you mean 'subflow'?", StringComparison.Ordinal));
        Assert.Contains(result.Diagnostics, d => d.Message.Contains("did you mean 'log'?", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_SameDefinitionInJsonAndYaml_ReadsTheSameSteps()
    {
        var yaml = Load(("flows/x.yaml", "kind: subflow\nid: demo.x\nversion: 1\noutputs:\n  n: integer\nsteps:\n  - id: s\n    set: { n: 2 }\n  - outputs: { n: \"{{ vars.n * 2 }}\" }\n"));
        var json = Load(("flows/x.json", """
            {
              "kind": "subflow", "id": "demo.x", "version": 1,
              "outputs": { "n": "integer" },
              "steps": [
                { "id": "s", "set": { "n": 2 } },
                { "outputs": { "n": "{{ vars.n * 2 }}" } }
              ]
            }
            """));
        Assert.True(yaml.Succeeded, string.Join("\n", yaml.Diagnostics));
        Assert.True(json.Succeeded, string.Join("\n", json.Diagnostics));
        var a = yaml.Definitions.Single();
        var b = json.Definitions.Single();
        Assert.Equal(a.Steps.Select(s => s.Type), b.Steps.Select(s => s.Type));
        Assert.Equal("s", b.Steps[0].Id);
        Assert.Equal((5, 5), (b.Steps[0].Span.Line, b.Steps[0].Span.Column));
    }

    [Fact]
    public void Load_JsonWithBadTypeDeepInside_PointsAtTheValue()
    {
        var json = Load(("flows/x.json", "{\n  \"kind\": \"subflow\",\n  \"id\": \"demo.x\",\n  \"version\": \"one\",\n  \"steps\": []\n}"));
        var d = Single(json, Codes.WrongType);
        Assert.Equal((4, 14), (d.Line, d.Column));
    }
}
