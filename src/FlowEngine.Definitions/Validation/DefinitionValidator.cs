using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;

namespace FlowEngine.Definitions.Validation;

/// <summary>Finds the definitions a call may reach.</summary>
public interface IDefinitionLookup
{
    /// <summary>A definition by id, at a version, or the latest published one when <paramref name="version"/> is null.</summary>
    Definition? Find(string id, int? version);

    /// <summary>The versions known for an id.</summary>
    IReadOnlyList<int> Versions(string id);

    /// <summary>Every id known, for suggestions.</summary>
    IEnumerable<string> Ids { get; }
}

/// <summary>
/// Checks what the reader cannot: pills that name steps, inputs or variables that do not exist, calls to unknown
/// definitions or versions, missing or unknown call inputs, type mismatches where both types are known, and call
/// cycles. Every problem becomes a diagnostic with file, line, column and step id.
/// </summary>
public sealed class DefinitionValidator(StepTypeCatalog stepTypes)
{
    /// <summary>Root names always visible in a pill.</summary>
    public static readonly IReadOnlyList<string> GlobalRoots = ["inputs", "vars", "steps", "execution"];

    /// <summary>Validates one definition against the others it may call.</summary>
    public IReadOnlyList<Diagnostic> Validate(Definition definition, IDefinitionLookup lookup)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(lookup);
        var diagnostics = new List<Diagnostic>();
        new Pass(stepTypes, definition, lookup, diagnostics).Run();
        return diagnostics;
    }

    /// <summary>Finds call cycles across a set of definitions; each cycle is reported once, at the call that closes it.</summary>
    public static IReadOnlyList<Diagnostic> FindCycles(IEnumerable<Definition> definitions, IDefinitionLookup lookup) =>
        FindCycles(definitions, lookup, new HashSet<string>(StringComparer.Ordinal));

    /// <summary>Finds call cycles and collects the keys (<c>id@version</c>) of every definition on one.</summary>
    public static IReadOnlyList<Diagnostic> FindCycles(IEnumerable<Definition> definitions, IDefinitionLookup lookup, ISet<string> members)
    {
        var diagnostics = new List<Diagnostic>();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in definitions)
        {
            var path = new List<(Definition Definition, StepDefinition? Call)> { (start, null) };
            Visit(start, path);
        }

        return diagnostics;

        void Visit(Definition current, List<(Definition Definition, StepDefinition? Call)> path)
        {
            foreach (var call in current.AllSteps().Where(s => s.Type == BuiltInStepTypes.Call.Keyword))
            {
                var (targetId, version) = ParseTarget(call);
                var target = lookup.Find(targetId, version);
                if (target is null)
                {
                    continue;
                }

                var index = path.FindIndex(p => p.Definition.Key == target.Key);
                if (index >= 0)
                {
                    var chain = path.Skip(index).Select(p => p.Definition.Id).Append(target.Id);
                    members.UnionWith(path.Skip(index).Select(p => p.Definition.Key));
                    var key = string.Join(">", path.Skip(index).Select(p => p.Definition.Key).Order(StringComparer.Ordinal));
                    if (reported.Add(key))
                    {
                        // Point at the call target (the value that closes the cycle), not at the start of the step.
                        var at = call.Properties.GetValueOrDefault("call")?.Span ?? call.Span;
                        diagnostics.Add(new(Codes.CallCycle, Severity.Error, current.SourceFile, at.Line, at.Column, call.Id,
                            $"call cycle: {string.Join(" → ", chain)}; a definition may not call itself, directly or through others"));
                    }

                    continue;
                }

                if (path.Count > 64)
                {
                    continue;
                }

                path.Add((target, call));
                Visit(target, path);
                path.RemoveAt(path.Count - 1);
            }
        }
    }

    /// <summary>Splits a call target <c>id@version</c> (the <c>version</c> property wins when both are given).</summary>
    public static (string Id, int? Version) ParseTarget(StepDefinition call)
    {
        var target = call.NameOf("call") ?? "";
        int? version = null;
        var at = target.IndexOf('@', StringComparison.Ordinal);
        if (at > 0 && int.TryParse(target[(at + 1)..], out var v))
        {
            version = v;
            target = target[..at];
        }

        if (call.Value("version") is ScalarValue { Constant: long pinned })
        {
            version = (int)pinned;
        }

        return (target, version);
    }

    private sealed class Pass(StepTypeCatalog stepTypes, Definition definition, IDefinitionLookup lookup, List<Diagnostic> diagnostics)
    {
        private readonly Dictionary<string, StepDefinition> _steps = definition.AllSteps().Where(s => !s.GeneratedId)
            .GroupBy(s => s.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        private readonly HashSet<string> _variables = CollectVariables(stepTypes, definition);
        private readonly Dictionary<string, ParameterSpec> _inputs = definition.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);

        private void Error(string code, SourceSpan span, string? stepId, string message) =>
            diagnostics.Add(new(code, Severity.Error, definition.SourceFile, span.Line, span.Column, stepId, message));

        public void Run() => Walk(definition.Steps, new Dictionary<string, TypeSpec>(StringComparer.Ordinal));

        private static HashSet<string> CollectVariables(StepTypeCatalog types, Definition definition)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var step in definition.AllSteps())
            {
                if (types.Find(step.Type) is not { } type)
                {
                    continue;
                }

                foreach (var spec in type.Properties)
                {
                    if (spec.KeysDefineVariables && step.Value(spec.Name) is MapValue map)
                    {
                        names.UnionWith(map.Entries.Select(e => e.Key));
                    }

                    if (spec.DefinesVariable && step.NameOf(spec.Name) is { } path)
                    {
                        names.Add(path.StartsWith("vars.", StringComparison.Ordinal) ? path[5..] : path);
                    }
                }
            }

            return names;
        }

        private void Walk(IReadOnlyList<StepDefinition> steps, Dictionary<string, TypeSpec> locals)
        {
            foreach (var step in steps)
            {
                var type = stepTypes.Find(step.Type)!;
                var outer = locals;
                if (type.StepLocals.Count > 0)
                {
                    locals = new Dictionary<string, TypeSpec>(locals, StringComparer.Ordinal);
                    foreach (var name in type.StepLocals)
                    {
                        locals[name] = TypeSpec.Object;
                    }
                }

                foreach (var (name, property) in step.Properties)
                {
                    var spec = type.Property(name)!;
                    switch (property)
                    {
                        case ValueProperty v:
                            CheckValue(step, v.Value, locals, spec.ExpectedType, $"'{name}'");
                            break;
                        case NameProperty n when spec.DefinesVariable && !n.Name.StartsWith("vars.", StringComparison.Ordinal):
                            Error(Codes.InvalidValue, n.Span, step.Id, $"'{name}' must name a variable as vars.<name>, e.g. vars.{n.Name}");
                            break;
                        case BranchesProperty b:
                            foreach (var branch in b.Branches)
                            {
                                CheckValue(step, branch.Condition, locals, null, "'else_if' condition");
                            }

                            break;
                    }
                }

                if (step.Type == BuiltInStepTypes.Call.Keyword)
                {
                    CheckCall(step, locals);
                }
                else if (step.Type == BuiltInStepTypes.Outputs.Keyword)
                {
                    CheckOutputs(step, locals);
                }

                foreach (var (block, children) in step.Blocks())
                {
                    var inner = new Dictionary<string, TypeSpec>(locals, StringComparer.Ordinal);
                    foreach (var local in type.Locals.Where(l => l.Block == block))
                    {
                        var localName = local.Name ?? step.NameOf(local.FromProperty!) ?? type.Property(local.FromProperty!)?.DefaultName;
                        if (localName is not null)
                        {
                            inner[localName] = LocalType(step, local, locals);
                        }
                    }

                    Walk(children, inner);
                }

                locals = outer;
            }
        }

        private TypeSpec LocalType(StepDefinition step, BlockLocal local, Dictionary<string, TypeSpec> locals)
        {
            if (local.FromProperty == "index_as")
            {
                return TypeSpec.Integer;
            }

            if (local.Name == "error")
            {
                return TypeSpec.Object;
            }

            return step.Value(step.Type) is { } items && Infer(items, locals) is { Name: "array", Items: { } itemType } ? itemType : TypeSpec.Any;
        }

        private void CheckValue(StepDefinition step, ValueNode value, Dictionary<string, TypeSpec> locals, TypeSpec? expected, string what)
        {
            foreach (var (template, span, quoted) in value.Templates())
            {
                foreach (var reference in template.References())
                {
                    CheckReference(step, reference, span.Shift(reference.Offset, quoted), locals);
                }
            }

            if (expected is not null && Infer(value, locals) is { IsAny: false } actual && !expected.Accepts(actual))
            {
                Error(Codes.TypeMismatch, value.Span, step.Id, $"{what} of a '{step.Type}' step must be {expected}, but this is {actual}");
            }
        }

        private void CheckReference(StepDefinition step, PathReference reference, SourceSpan span, Dictionary<string, TypeSpec> locals)
        {
            if (locals.ContainsKey(reference.Root))
            {
                return;
            }

            var members = reference.Members;
            switch (reference.Root)
            {
                case "inputs":
                    if (members.Count > 0 && !_inputs.ContainsKey(members[0]))
                    {
                        Error(Codes.UnknownReference, span, step.Id, $"no input '{members[0]}'{Suggest.DidYouMean(members[0], _inputs.Keys)}; declare it under 'inputs'");
                    }

                    return;
                case "vars":
                    if (members.Count > 0 && !_variables.Contains(members[0]))
                    {
                        Error(Codes.UnknownReference, span, step.Id, $"no variable '{members[0]}' is set in this definition{Suggest.DidYouMean(members[0], _variables)}; set it with a 'set' or 'append' step first");
                    }

                    return;
                case "steps":
                    CheckStepReference(step, members, span);
                    return;
                case "execution":
                    if (members.Count > 0 && !ExecutionFields.Contains(members[0]))
                    {
                        Error(Codes.UnknownReference, span, step.Id, $"execution has no '{members[0]}'{Suggest.DidYouMean(members[0], ExecutionFields)}; it has {string.Join(", ", ExecutionFields)}");
                    }

                    return;
                default:
                    var visible = GlobalRoots.Concat(locals.Keys).ToList();
                    Error(Codes.UnknownReference, span, step.Id, $"'{reference.Root}' is not defined here{Suggest.DidYouMean(reference.Root, visible)}; pills start with {string.Join(", ", visible)}");
                    return;
            }
        }

        private static readonly string[] ExecutionFields = ["id", "definition_id", "version", "started_at"];

        private void CheckStepReference(StepDefinition step, IReadOnlyList<string> members, SourceSpan span)
        {
            if (members.Count == 0)
            {
                return;
            }

            if (!_steps.TryGetValue(members[0], out var target))
            {
                Error(Codes.UnknownReference, span, step.Id, $"no step '{members[0]}'{Suggest.DidYouMean(members[0], _steps.Keys)}");
                return;
            }

            if (members.Count > 1 && members[1] is not ("outputs" or "status"))
            {
                Error(Codes.UnknownReference, span, step.Id, $"steps.{members[0]} has 'outputs' and 'status', not '{members[1]}'{Suggest.DidYouMean(members[1], ["outputs", "status"])}");
                return;
            }

            if (members.Count > 2 && members[1] == "outputs" && target.Type == BuiltInStepTypes.Call.Keyword
                && Callee(target) is { } callee && callee.Outputs.All(o => o.Name != members[2]))
            {
                var names = callee.Outputs.Select(o => o.Name).ToList();
                Error(Codes.UnknownReference, span, step.Id, $"{callee.Id} has no output '{members[2]}'{Suggest.DidYouMean(members[2], names)}; its outputs are {(names.Count == 0 ? "none" : string.Join(", ", names))}");
            }
        }

        private Definition? Callee(StepDefinition call)
        {
            var (id, version) = ParseTarget(call);
            return lookup.Find(id, version);
        }

        private static bool Emits(IReadOnlyList<StepDefinition> steps) =>
            steps.Any(s => s.Type == BuiltInStepTypes.Emit.Keyword || s.Blocks().Any(b => Emits(b.Steps)));

        private void CheckCall(StepDefinition step, Dictionary<string, TypeSpec> locals)
        {
            var (id, version) = ParseTarget(step);
            // A target the reader rejected (a pill, a list) was reported there and leaves no 'call' property.
            if (!step.Properties.TryGetValue("call", out var target))
            {
                return;
            }

            var span = target.Span;
            var callee = lookup.Find(id, version);
            if (callee is null)
            {
                var versions = lookup.Versions(id);
                if (versions.Count == 0)
                {
                    Error(Codes.UnknownDefinition, span, step.Id, $"no action or subflow '{id}'{Suggest.DidYouMean(id, lookup.Ids)}; check the id or add its file under flows/");
                }
                else
                {
                    // A version pinned with 'version:' wins over 'id@n', so point at the value that chose it.
                    var versionSpan = step.Value("version") is ScalarValue { Constant: long } pinned ? pinned.Span : span;
                    Error(Codes.UnknownVersion, versionSpan, step.Id, $"'{id}' has no version {version}; known versions: {string.Join(", ", versions)}");
                }

                return;
            }

            if (callee.Kind == DefinitionKind.Flow)
            {
                Error(Codes.InvalidValue, span, step.Id, $"'{id}' is a flow, which is started by triggers; only actions and subflows can be called");
                return;
            }

            if (step.Properties.ContainsKey("do") && !Emits(callee.Steps))
            {
                Error(Codes.InvalidValue, span, step.Id, $"'{id}' does not stream (it has no emit step), so a do block would never run; remove 'do' and 'as' and use steps.{step.Id}.outputs");
            }

            var given = step.Value("with") as MapValue;
            if (step.Value("with") is { } with && with is not MapValue)
            {
                Error(Codes.WrongType, with.Span, step.Id, "'with' must be a mapping of the callee's input names to values");
                return;
            }

            var inputs = callee.Inputs.ToDictionary(i => i.Name, StringComparer.Ordinal);
            foreach (var (name, value) in given?.Entries ?? [])
            {
                if (!inputs.TryGetValue(name, out var input))
                {
                    Error(Codes.UnknownInput, value.Span, step.Id, $"{callee.Id} has no input '{name}'{Suggest.DidYouMean(name, inputs.Keys)}; its inputs are {string.Join(", ", inputs.Keys)}");
                    continue;
                }

                if (Infer(value, locals) is { IsAny: false } actual && !input.Type.Accepts(actual))
                {
                    Error(Codes.TypeMismatch, value.Span, step.Id, $"input '{name}' of {callee.Id} is {input.Type}, but this value is {actual}");
                }
            }

            foreach (var missing in callee.Inputs.Where(i => i.Required && given?.Entries.Any(e => e.Key == i.Name) != true))
            {
                Error(Codes.MissingInput, span, step.Id, $"{callee.Id} needs input '{missing.Name}' ({missing.Type}); add it under 'with'");
            }
        }

        private void CheckOutputs(StepDefinition step, Dictionary<string, TypeSpec> locals)
        {
            if (step.Value("outputs") is not MapValue map)
            {
                return;
            }

            var declared = definition.Outputs.ToDictionary(o => o.Name, StringComparer.Ordinal);
            foreach (var (name, value) in map.Entries)
            {
                if (!declared.TryGetValue(name, out var output))
                {
                    Error(Codes.UnknownReference, value.Span, step.Id, $"no output '{name}' is declared{Suggest.DidYouMean(name, declared.Keys)}; declare it under 'outputs' at the top");
                }
                else if (Infer(value, locals) is { IsAny: false } actual && !output.Type.Accepts(actual))
                {
                    Error(Codes.TypeMismatch, value.Span, step.Id, $"output '{name}' is {output.Type}, but this value is {actual}");
                }
            }
        }

        private TypeSpec Infer(ValueNode value, Dictionary<string, TypeSpec> locals) => value switch
        {
            ScalarValue { Template: null, Constant: null } => TypeSpec.Any,
            ScalarValue { Template: null } s => new TypeSpec(Values.TypeName(s.Constant)),
            ScalarValue { Template.SinglePill: { } pill } => InferExpr(pill, locals),
            ScalarValue => TypeSpec.String,
            MapValue => TypeSpec.Object,
            ListValue => TypeSpec.Array,
            _ => TypeSpec.Any,
        };

        private TypeSpec InferExpr(Expr expr, Dictionary<string, TypeSpec> locals)
        {
            switch (expr)
            {
                case LiteralExpr { Value: null }:
                    return TypeSpec.Any;
                case LiteralExpr l:
                    return new TypeSpec(Values.TypeName(l.Value));
                case ArrayExpr:
                    return TypeSpec.Array;
                case BinaryExpr { Operator: "==" or "!=" or "<" or "<=" or ">" or ">=" or "and" or "or" }:
                case UnaryExpr { Operator: "not" }:
                    return TypeSpec.Boolean;
                case CallExpr call:
                    return call.Name switch
                    {
                        "now" or "today" or "date" or "add_days" or "add_hours" or "add_minutes" => TypeSpec.DateTime,
                        "length" or "days_between" or "to_int" => TypeSpec.Integer,
                        "lower" or "upper" or "trim" or "replace" or "join" or "to_string" or "format_date" or "json" => TypeSpec.String,
                        "contains" or "starts_with" or "ends_with" or "is_empty" or "to_bool" => TypeSpec.Boolean,
                        "split" or "keys" or "range" => TypeSpec.Array,
                        _ => TypeSpec.Any,
                    };
            }

            if (!Template.TryPath(expr, out var path) || path is null)
            {
                return TypeSpec.Any;
            }

            var members = path.Members;
            TypeSpec type;
            int consumed;
            if (locals.TryGetValue(path.Root, out var local))
            {
                (type, consumed) = (local, 0);
            }
            else if (path.Root == "inputs" && members.Count > 0 && _inputs.TryGetValue(members[0], out var input))
            {
                (type, consumed) = (input.Type, 1);
            }
            else if (path.Root == "steps" && members.Count > 2 && members[1] == "outputs"
                     && _steps.TryGetValue(members[0], out var s) && s.Type == BuiltInStepTypes.Call.Keyword
                     && Callee(s)?.Outputs.FirstOrDefault(o => o.Name == members[2]) is { } output)
            {
                (type, consumed) = (output.Type, 3);
            }
            else
            {
                return TypeSpec.Any;
            }

            // A computed index drops the members after it, so only follow paths that are all constant names.
            if (expr is IndexExpr || HasIndex(expr))
            {
                return TypeSpec.Any;
            }

            foreach (var member in members.Skip(consumed))
            {
                type = type.Member(member);
            }

            return type;
        }

        private static bool HasIndex(Expr expr) => expr switch
        {
            IndexExpr => true,
            MemberExpr m => HasIndex(m.Target),
            _ => false,
        };
    }
}
