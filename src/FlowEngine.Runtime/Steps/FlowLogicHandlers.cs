using System.Collections;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;

namespace FlowEngine.Runtime.Steps;

/// <summary><c>set</c>: evaluates every value, then writes them all.</summary>
internal sealed class SetHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Set;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var values = (Dictionary<string, object?>)context.Evaluate("set")!;
        foreach (var (name, value) in values)
        {
            context.Frame.Vars[name] = value;
        }

        context.RecordInputs(values);
        return ValueTask.FromResult<object?>(null);
    }
}

/// <summary><c>append</c>: appends to a list variable the step owns (copying a list that came from elsewhere once).</summary>
internal sealed class AppendHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Append;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var target = context.Step.NameOf("to")!;
        var name = target.StartsWith("vars.", StringComparison.Ordinal) ? target[5..] : target;
        var value = context.Evaluate("value");
        var vars = context.Frame.Vars;
        lock (vars)
        {
            var list = vars.GetValueOrDefault(name) switch
            {
                OwnedList owned => owned,
                null => new OwnedList(),
                IList other => new OwnedList(other.Cast<object?>()),
                var other => throw new StepFailedException($"vars.{name} is {Values.TypeName(other)}, not a list; append needs a list", context.Step.Id, "type"),
            };
            list.Add(value);
            vars[name] = list;
        }

        context.RecordInputs(new Dictionary<string, object?> { ["to"] = target, ["value"] = value });
        return ValueTask.FromResult<object?>(null);
    }
}

/// <summary><c>if</c> / <c>else_if</c> / <c>else</c>.</summary>
internal sealed class IfHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.If;

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var step = context.Step;
        if (Values.IsTruthy(context.Evaluate("if")))
        {
            context.RecordInputs(new Dictionary<string, object?> { ["branch"] = "then" });
            await context.RunBlockAsync(step.Block("then"), "/then").ConfigureAwait(false);
            return Taken("then");
        }

        if (step.Properties.GetValueOrDefault("else_if") is BranchesProperty branches)
        {
            for (var i = 0; i < branches.Branches.Count; i++)
            {
                if (Values.IsTruthy(context.Evaluate(branches.Branches[i].Condition)))
                {
                    context.RecordInputs(new Dictionary<string, object?> { ["branch"] = $"else_if[{i}]" });
                    await context.RunBlockAsync(branches.Branches[i].Steps, $"/else_if[{i}]").ConfigureAwait(false);
                    return Taken($"else_if[{i}]");
                }
            }
        }

        if (step.Properties.ContainsKey("else"))
        {
            context.RecordInputs(new Dictionary<string, object?> { ["branch"] = "else" });
            await context.RunBlockAsync(step.Block("else"), "/else").ConfigureAwait(false);
            return Taken("else");
        }

        context.RecordInputs(new Dictionary<string, object?> { ["branch"] = null });
        return Taken(null);
    }

    private static Dictionary<string, object?> Taken(string? branch) => new() { ["branch"] = branch };
}

/// <summary><c>for_each</c>: in order, or with a parallelism limit.</summary>
internal sealed class ForEachHandler : IStepHandler
{
    /// <summary>Highest parallelism accepted, so a flow cannot starve the process.</summary>
    public const int MaxParallelism = 64;

    public StepTypeDescriptor Descriptor => BuiltInStepTypes.ForEach;

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var step = context.Step;
        var items = Lists.Evaluate(context, "for_each");
        var name = step.NameOf("as") ?? "item";
        var indexName = step.NameOf("index_as") ?? "index";
        var parallelism = context.Evaluate("parallelism") switch
        {
            null => 1L,
            long n and >= 1 and <= MaxParallelism => n,
            var other => throw new StepFailedException($"parallelism must be a whole number from 1 to {MaxParallelism}, not {Values.ToText(other)}", step.Id, "type"),
        };
        context.RecordInputs(new Dictionary<string, object?> { ["count"] = (long)items.Count, ["parallelism"] = parallelism });
        var block = step.Block("do");

        if (parallelism == 1)
        {
            for (var i = 0; i < items.Count; i++)
            {
                await context.RunBlockAsync(block, $"[{i}]", [(name, items[i]), (indexName, (long)i)], i).ConfigureAwait(false);
            }
        }
        else
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = (int)parallelism, CancellationToken = context.CancellationToken };
            await Parallel.ForAsync(0, items.Count, options, async (i, _) =>
                await context.RunBlockAsync(block, $"[{i}]", [(name, items[i]), (indexName, (long)i)], i).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        return new Dictionary<string, object?> { ["count"] = (long)items.Count };
    }
}

/// <summary>The array a step property holds (null: none), or a failure that quotes the property's pill.</summary>
internal static class Lists
{
    public static IList Evaluate(StepContext context, string property) => context.Evaluate(property) switch
    {
        null => Array.Empty<object?>(),
        IList list => list,
        var other => throw new StepFailedException(
            $"{property} needs an array, but '{context.Step.Value(property)!.Templates().FirstOrDefault().Template?.Source}' is {Values.TypeName(other)}", context.Step.Id, "type"),
    };
}

/// <summary><c>call</c>: runs an action or subflow in a frame of its own.</summary>
internal sealed class CallHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Call;

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var (id, version) = DefinitionValidator.ParseTarget(context.Step);
        var callee = context.FindDefinition(id, version)
            ?? throw new StepFailedException(version is null ? $"no published action or subflow '{id}'" : $"no version {version} of '{id}'", context.Step.Id, "definition");
        var inputs = context.Evaluate("with") as Dictionary<string, object?> ?? [];
        var overrides = (context.Evaluate("connections") as Dictionary<string, object?>)?
            .ToDictionary(o => o.Key, o => Values.ToText(o.Value), StringComparer.Ordinal);
        var recorded = new Dictionary<string, object?>(inputs) { ["$definition"] = callee.Key };
        if (overrides is { Count: > 0 })
        {
            recorded["$connections"] = overrides.ToDictionary(o => o.Key, o => (object?)o.Value);
        }

        context.RecordInputs(recorded);
        var block = context.Step.Block("do");
        if (block.Count == 0)
        {
            return await context.CallAsync(callee, inputs, overrides).ConfigureAwait(false);
        }

        var outputs = await context.CallStreamingAsync(callee, inputs, overrides, block, context.Step.NameOf("as") ?? "batch").ConfigureAwait(false);
        return outputs;
    }
}

/// <summary>The block of a streaming <c>call</c>, which the callee's <c>emit</c> steps run, one batch at a time.</summary>
internal sealed class EmitTarget(StepContext caller, IReadOnlyList<StepDefinition> block, string name)
{
    private int _batches;

    public ValueTask RunAsync(object? items)
    {
        var index = Interlocked.Increment(ref _batches) - 1;
        return caller.RunBlockAsync(block, $"[{index}]", [(name, items)], index, perBatch: true);
    }
}

/// <summary><c>emit</c>: a data stream's batch, to the caller's block or into an output.</summary>
internal sealed class EmitHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Emit;

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var step = context.Step;
        var items = Lists.Evaluate(context, "emit");
        if (context.EmitTarget is { } target)
        {
            await target.RunAsync(items).ConfigureAwait(false);
            return new Dictionary<string, object?> { ["count"] = (long)items.Count, ["streamed"] = true };
        }

        var output = step.NameOf("to") ?? throw new StepFailedException(
            $"'{context.Frame.Definition.Id}' streams its items: call it with a do block (and 'as'), or give this emit step 'to: <output>' to collect them", step.Id, "stream");
        var collected = context.Frame.Outputs.GetOrAdd(output, _ => new OwnedList()) as List<object?>
            ?? throw new StepFailedException($"output '{output}' is not a list", step.Id, "type");
        lock (collected)
        {
            collected.AddRange(items.Cast<object?>());
        }

        return new Dictionary<string, object?> { ["count"] = (long)items.Count, ["streamed"] = false };
    }
}

/// <summary><c>transform</c>: maps (and filters) a list, item by item.</summary>
internal sealed class TransformHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Transform;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var step = context.Step;
        var items = Lists.Evaluate(context, "transform");
        var value = step.Value("value");
        var where = step.Value("where");
        var result = new List<object?>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var scoped = context.With("item", items[i]).With("index", (long)i);
            if (where is not null && !Values.IsTruthy(scoped.Evaluate(where)))
            {
                continue;
            }

            result.Add(scoped.Evaluate(value));
        }

        context.RecordInputs(new Dictionary<string, object?> { ["count"] = (long)items.Count });
        return ValueTask.FromResult<object?>(new Dictionary<string, object?> { ["items"] = result, ["count"] = (long)result.Count });
    }
}

/// <summary><c>try</c> / <c>on_error</c>.</summary>
internal sealed class TryHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Try;

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        try
        {
            await context.RunBlockAsync(context.Step.Block("try"), "/try").ConfigureAwait(false);
            return new Dictionary<string, object?> { ["failed"] = false };
        }
        catch (StepFailedException ex)
        {
            var error = new Dictionary<string, object?>
            {
                ["message"] = ex.Message,
                ["step"] = ex.StepId,
                ["code"] = ex.Code,
            };
            foreach (var (key, value) in ex.Details ?? new Dictionary<string, object?>())
            {
                error.TryAdd(key, value);
            }

            await context.RunBlockAsync(context.Step.Block("on_error"), "/on_error", [("error", error)]).ConfigureAwait(false);
            return new Dictionary<string, object?> { ["failed"] = true, ["error"] = error };
        }
    }
}

/// <summary><c>fail</c>.</summary>
internal sealed class FailHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Fail;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var message = Values.ToText(context.Evaluate("fail"));
        var code = context.Evaluate("code") is { } c ? Values.ToText(c) : "fail";
        context.RecordInputs(new Dictionary<string, object?> { ["message"] = message, ["code"] = code });
        throw new StepFailedException(message, context.Step.Id, code);
    }
}

/// <summary><c>log</c>.</summary>
internal sealed class LogHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Log;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var message = context.Evaluate("log");
        var level = context.Step.NameOf("level") ?? "info";
        context.Log(level, message);
        var recorded = new Dictionary<string, object?> { ["level"] = level, ["message"] = message is SecretValue ? message : Values.ToText(message) };
        context.RecordInputs(recorded);
        return ValueTask.FromResult<object?>(null);
    }
}

/// <summary><c>outputs</c>: sets declared outputs, converted to their declared types.</summary>
internal sealed class OutputsHandler : IStepHandler
{
    public StepTypeDescriptor Descriptor => BuiltInStepTypes.Outputs;

    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var values = (Dictionary<string, object?>)context.Evaluate("outputs")!;
        var declared = context.Frame.Definition.Outputs;
        foreach (var (name, value) in values)
        {
            var spec = declared.FirstOrDefault(o => o.Name == name)
                ?? throw new StepFailedException($"no output '{name}' is declared", context.Step.Id, "output");
            context.Frame.Outputs[name] = Coercion.To(value is OwnedList owned ? owned.ToList() : value, spec.Type, $"output '{name}'", context.Step.Id);
        }

        context.RecordInputs(values);
        return ValueTask.FromResult<object?>(null);
    }
}
