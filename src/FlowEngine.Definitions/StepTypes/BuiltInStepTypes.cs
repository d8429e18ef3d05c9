using FlowEngine.Definitions.Model;

namespace FlowEngine.Definitions.StepTypes;

/// <summary>The flow-logic step types every definition can use.</summary>
public static class BuiltInStepTypes
{
    /// <summary><c>set: { name: value, … }</c>.</summary>
    public static readonly StepTypeDescriptor Set = new()
    {
        Keyword = "set",
        Title = "Set variables",
        Description = "Sets flow variables (vars.<name>) to values.",
        Primary = "set",
        Properties = [new("set", PropertyKind.Value, "Variable names and their values.") { Required = true, ExpectedType = TypeSpec.Object, KeysDefineVariables = true }],
    };

    /// <summary><c>append: { to: vars.x, value: … }</c>.</summary>
    public static readonly StepTypeDescriptor Append = new()
    {
        Keyword = "append",
        Title = "Append to list",
        Description = "Appends a value to a list variable, creating it when missing.",
        Properties =
        [
            new("to", PropertyKind.Name, "The list variable, as vars.<name>.") { Required = true, DefinesVariable = true },
            new("value", PropertyKind.Value, "The value to append.") { Required = true },
        ],
    };

    /// <summary><c>if: cond, then: [...], else_if: [...], else: [...]</c>.</summary>
    public static readonly StepTypeDescriptor If = new()
    {
        Keyword = "if",
        Title = "If",
        Description = "Runs the first branch whose condition holds: if, then each else_if, then else.",
        Primary = "if",
        Properties =
        [
            new("if", PropertyKind.Value, "The condition.") { Required = true },
            new("then", PropertyKind.Steps, "Steps run when the condition holds.") { Required = true },
            new("else_if", PropertyKind.Branches, "Further conditions, each with its steps, tried in order."),
            new("else", PropertyKind.Steps, "Steps run when no condition holds."),
        ],
    };

    /// <summary><c>for_each: items, as: name, parallelism: n, do: [...]</c>.</summary>
    public static readonly StepTypeDescriptor ForEach = new()
    {
        Keyword = "for_each",
        Title = "For each",
        Description = "Runs its steps once per item of an array, in order or with a parallelism limit.",
        Primary = "for_each",
        Properties =
        [
            new("for_each", PropertyKind.Value, "The array to loop over.") { Required = true, ExpectedType = TypeSpec.Array },
            new("as", PropertyKind.Name, "Name of the current item inside the loop (default: item).") { DefaultName = "item" },
            new("index_as", PropertyKind.Name, "Name of the 0-based position inside the loop (default: index).") { DefaultName = "index" },
            new("parallelism", PropertyKind.Value, "How many items run at once (default 1: in order).") { ExpectedType = TypeSpec.Integer },
            new("do", PropertyKind.Steps, "Steps run for each item.") { Required = true },
        ],
        Locals = [new("do", FromProperty: "as"), new("do", FromProperty: "index_as")],
    };

    /// <summary><c>call: id, version: n, with: { … }</c>.</summary>
    public static readonly StepTypeDescriptor Call = new()
    {
        Keyword = "call",
        Title = "Call action or subflow",
        Description = "Runs an action or subflow by id (the latest published version unless a version is given); its outputs are steps.<id>.outputs.",
        Primary = "call",
        RunsDefinitions = true,
        Properties =
        [
            new("call", PropertyKind.Name, "The id of the action or subflow, optionally id@version.") { Required = true },
            new("version", PropertyKind.Value, "A pinned version.") { ExpectedType = TypeSpec.Integer },
            new("with", PropertyKind.Value, "Inputs of the callee, by name.") { ExpectedType = TypeSpec.Object },
            new("connections", PropertyKind.Value, "Alias overrides for the callee and everything it runs: { parent_alias: child_alias }.") { ExpectedType = TypeSpec.Object },
            new("as", PropertyKind.Name, "With do: name of each batch the callee emits (default: batch).") { DefaultName = "batch" },
            new("do", PropertyKind.Steps, "A data stream: steps run for each batch of items the callee emits (its emit steps), as they arrive; the items are not kept."),
        ],
        Locals = [new("do", FromProperty: "as")],
    };

    /// <summary><c>emit: items, to: output</c>.</summary>
    public static readonly StepTypeDescriptor Emit = new()
    {
        Keyword = "emit",
        Title = "Emit items",
        Description = "Data stream: hands a batch of items to the caller's do block as they arrive; when the caller has no do block, appends them to the output named in 'to'.",
        Primary = "emit",
        Properties =
        [
            new("emit", PropertyKind.Value, "The items (an array).") { Required = true, ExpectedType = TypeSpec.Array },
            new("to", PropertyKind.Name, "The array output the items are collected in when the caller does not stream them."),
        ],
    };

    /// <summary><c>transform: items, value: { … }, where: cond</c>.</summary>
    public static readonly StepTypeDescriptor Transform = new()
    {
        Keyword = "transform",
        Title = "Transform list",
        Description = "Maps each item of an array (as 'item', position 'index') to a new value, keeping those where 'where' holds; outputs items and count.",
        Primary = "transform",
        Properties =
        [
            new("transform", PropertyKind.Value, "The array to transform.") { Required = true, ExpectedType = TypeSpec.Array },
            new("value", PropertyKind.Value, "The new value of each item, with 'item' and 'index'.") { Required = true },
            new("where", PropertyKind.Value, "Keep only items for which this holds."),
        ],
        StepLocals = ["item", "index"],
        Result = TypeSpec.Object,
    };

    /// <summary><c>try: [...], on_error: [...]</c>.</summary>
    public static readonly StepTypeDescriptor Try = new()
    {
        Keyword = "try",
        Title = "Try / on error",
        Description = "Runs steps; when one fails, runs on_error with the error as 'error' (message, step, code) and goes on.",
        Primary = "try",
        Properties =
        [
            new("try", PropertyKind.Steps, "Steps that may fail.") { Required = true },
            new("on_error", PropertyKind.Steps, "Steps run when one of them fails."),
        ],
        Locals = [new("on_error", Name: "error")],
    };

    /// <summary><c>fail: message, code: …</c>.</summary>
    public static readonly StepTypeDescriptor Fail = new()
    {
        Keyword = "fail",
        Title = "Fail",
        Description = "Stops with an error: the execution fails unless a try catches it.",
        Primary = "fail",
        Properties =
        [
            new("fail", PropertyKind.Value, "The error message.") { Required = true },
            new("code", PropertyKind.Value, "An error code a caller can test."),
        ],
    };

    /// <summary><c>log: message, level: info</c>.</summary>
    public static readonly StepTypeDescriptor Log = new()
    {
        Keyword = "log",
        Title = "Log",
        Description = "Writes a message to the execution's log.",
        Primary = "log",
        Properties =
        [
            new("log", PropertyKind.Value, "The message.") { Required = true },
            new("level", PropertyKind.Name, "debug, info, warning or error (default info).") { AllowedNames = ["debug", "info", "warning", "error"], DefaultName = "info" },
        ],
    };

    /// <summary><c>outputs: { name: value }</c>.</summary>
    public static readonly StepTypeDescriptor Outputs = new()
    {
        Keyword = "outputs",
        Title = "Set outputs",
        Description = "Sets the definition's declared outputs.",
        Primary = "outputs",
        Properties = [new("outputs", PropertyKind.Value, "Output names and their values.") { Required = true, ExpectedType = TypeSpec.Object }],
    };

    /// <summary>All built-ins.</summary>
    public static IReadOnlyList<StepTypeDescriptor> All { get; } = [Set, Append, If, ForEach, Call, Try, Fail, Log, Outputs, Emit, Transform];
}
