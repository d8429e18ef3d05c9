using System.Collections;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.LicenseManagement;

/// <summary>The license-management step types, used by the vendors' subflow files.</summary>
public static class SamStepTypes
{
    /// <summary><c>sam_replace_subscriptions: { profile, users }</c>.</summary>
    public static readonly StepTypeDescriptor ReplaceSubscriptions = new()
    {
        Keyword = "sam_replace_subscriptions",
        Title = "Upsert user subscriptions",
        Category = "License Management",
        Description = "Makes the profile's subscriptions exactly these users, keyed by external user id (insert, update, remove), in one transaction; run it once, after every page was read.",
        Properties =
        [
            new("profile", PropertyKind.Value, "The integration profile id.") { Required = true, ExpectedType = TypeSpec.String },
            new("users", PropertyKind.Value, "Users as { external_user_id, user_principal_name, display_name, external_created, last_activity, identifier }.") { Required = true, ExpectedType = TypeSpec.Array },
        ],
    };

    /// <summary><c>sam_update_activity: { profile, activity }</c>.</summary>
    public static readonly StepTypeDescriptor UpdateActivity = new()
    {
        Keyword = "sam_update_activity",
        Title = "Update user activity if later",
        Category = "License Management",
        Description = "Moves each user's last activity forward (never back), matching by external user id or user principal name.",
        Properties =
        [
            new("profile", PropertyKind.Value, "The integration profile id.") { Required = true, ExpectedType = TypeSpec.String },
            new("activity", PropertyKind.Value, "Entries as { external_user_id (or user_id) or user_principal_name, at }.") { Required = true, ExpectedType = TypeSpec.Array },
        ],
    };

    /// <summary><c>sam_create_removal_candidates: { profile }</c>.</summary>
    public static readonly StepTypeDescriptor CreateCandidates = new()
    {
        Keyword = "sam_create_removal_candidates",
        Title = "Create removal candidates",
        Category = "License Management",
        Description = "Applies the profile's reclamation rule: idle subscriptions become candidates (not excluded users, not new accounts); users active again cancel theirs.",
        Properties = [new("profile", PropertyKind.Value, "The integration profile id.") { Required = true, ExpectedType = TypeSpec.String }],
    };

    /// <summary><c>sam_stage_subscriptions: { profile, users }</c>.</summary>
    public static readonly StepTypeDescriptor StageSubscriptions = new()
    {
        Keyword = "sam_stage_subscriptions",
        Title = "Stage downloaded users",
        Category = "License Management",
        Description = "Keeps one page of downloaded users for this execution (stored as one row, not in memory; a page staged again after a resume replaces what the earlier attempt staged); sam_commit_subscriptions applies them.",
        Properties =
        [
            new("profile", PropertyKind.Value, "The integration profile id.") { Required = true, ExpectedType = TypeSpec.String },
            new("users", PropertyKind.Value, "Users as { external_user_id, user_principal_name, display_name, external_created, last_activity, identifier }.") { Required = true, ExpectedType = TypeSpec.Array },
        ],
    };

    /// <summary><c>sam_commit_subscriptions: { profile }</c>.</summary>
    public static readonly StepTypeDescriptor CommitSubscriptions = new()
    {
        Keyword = "sam_commit_subscriptions",
        Title = "Replace subscriptions with the staged users",
        Category = "License Management",
        Description = "Makes the profile's subscriptions exactly the users this execution staged (insert, update, remove) in one transaction; run it once, after the last page.",
        Properties = [new("profile", PropertyKind.Value, "The integration profile id.") { Required = true, ExpectedType = TypeSpec.String }],
    };

    /// <summary>All of them.</summary>
    public static IReadOnlyList<StepTypeDescriptor> All { get; } = [ReplaceSubscriptions, StageSubscriptions, CommitSubscriptions, UpdateActivity, CreateCandidates];

    /// <summary>Registers the handlers.</summary>
    public static StepHandlerRegistry Register(StepHandlerRegistry registry, SamStore store)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var staging = new SubscriptionStaging(store);
        return registry.Register(new ReplaceHandler(store)).Register(new StageHandler(staging)).Register(new CommitHandler(staging))
            .Register(new ActivityHandler(store)).Register(new CandidatesHandler(store));
    }

    private static List<DownloadedUser> Users(StepContext context) =>
        (context.Evaluate("users") as IList ?? throw new StepFailedException("'users' must be a list", context.Step.Id, "input"))
            .Cast<object?>().Select((u, i) => u is IDictionary<string, object?> map
                ? new DownloadedUser(
                    Text(map, "external_user_id") ?? throw new StepFailedException($"users[{i}] has no external_user_id", context.Step.Id, "input"),
                    Text(map, "user_principal_name") ?? Text(map, "external_user_id")!,
                    Text(map, "display_name"), Date(map, "external_created"), Date(map, "last_activity"), Text(map, "identifier"))
                : throw new StepFailedException($"users[{i}] must be an object", context.Step.Id, "input")).ToList();

    private sealed class StageHandler(SubscriptionStaging staging) : IStepHandler
    {
        public StepTypeDescriptor Descriptor => StageSubscriptions;

        public async ValueTask<object?> ExecuteAsync(StepContext context)
        {
            var profile = Profile(context);
            var users = Users(context);
            context.RecordInputs(new Dictionary<string, object?> { ["profile"] = profile.ToString(), ["users"] = (long)users.Count });
            // Joined to the execution's next store write when the store allows (a paged download: the page's progress),
            // else written now in a transaction of its own.
            if (!await context.TryJoinWriteAsync(staging.StageWrite(context.ExecutionId, context.Attempt, profile, users)).ConfigureAwait(false))
            {
                await staging.StageAsync(context.ExecutionId, context.Attempt, profile, users, context.CancellationToken).ConfigureAwait(false);
            }

            return new Dictionary<string, object?> { ["staged"] = (long)users.Count };
        }
    }

    private sealed class CommitHandler(SubscriptionStaging staging) : IStepHandler
    {
        public StepTypeDescriptor Descriptor => CommitSubscriptions;

        public async ValueTask<object?> ExecuteAsync(StepContext context)
        {
            var profile = Profile(context);
            context.RecordInputs(new Dictionary<string, object?> { ["profile"] = profile.ToString() });
            try
            {
                // Pages staged in joined writes are stored before they are read.
                await context.FlushJoinedWritesAsync().ConfigureAwait(false);
                var summary = await staging.CommitAsync(context.ExecutionId, profile, context.CancellationToken).ConfigureAwait(false);
                return new Dictionary<string, object?> { ["added"] = (long)summary.Added, ["updated"] = (long)summary.Updated, ["removed"] = (long)summary.Removed, ["total"] = (long)summary.Total };
            }
            catch (InvalidOperationException ex)
            {
                throw new StepFailedException(ex.Message, context.Step.Id, "subscriptions");
            }
        }
    }

    private static Guid Profile(StepContext context) =>
        Guid.TryParse(Values.ToText(context.Evaluate("profile")), out var id) ? id : throw new StepFailedException("'profile' must be an integration profile id", context.Step.Id, "input");

    private static string? Text(IDictionary<string, object?> map, string key) => map.TryGetValue(key, out var v) && v is not null ? Values.ToText(v) : null;

    private static DateTimeOffset? Date(IDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v is not null && Values.TryDate(v, out var d) ? d : null;

    private sealed class ReplaceHandler(SamStore store) : IStepHandler
    {
        public StepTypeDescriptor Descriptor => ReplaceSubscriptions;

        public async ValueTask<object?> ExecuteAsync(StepContext context)
        {
            var profile = Profile(context);
            var users = Users(context);
            context.RecordInputs(new Dictionary<string, object?> { ["profile"] = profile.ToString(), ["users"] = (long)users.Count });
            try
            {
                var summary = await store.ReplaceSubscriptionsAsync(profile, users, context.CancellationToken).ConfigureAwait(false);
                return new Dictionary<string, object?> { ["added"] = (long)summary.Added, ["updated"] = (long)summary.Updated, ["removed"] = (long)summary.Removed, ["total"] = (long)summary.Total };
            }
            catch (InvalidOperationException ex)
            {
                throw new StepFailedException(ex.Message, context.Step.Id, "subscriptions");
            }
        }
    }

    private sealed class ActivityHandler(SamStore store) : IStepHandler
    {
        public StepTypeDescriptor Descriptor => UpdateActivity;

        public async ValueTask<object?> ExecuteAsync(StepContext context)
        {
            var profile = Profile(context);
            var entries = (context.Evaluate("activity") as IList ?? Array.Empty<object?>())
                .Cast<object?>().OfType<IDictionary<string, object?>>()
                .Where(e => Date(e, "at") is not null)
                .Select(e => (Text(e, "external_user_id") ?? Text(e, "user_id"), Text(e, "user_principal_name"), Date(e, "at")!.Value)).ToList();
            context.RecordInputs(new Dictionary<string, object?> { ["profile"] = profile.ToString(), ["entries"] = (long)entries.Count });
            var moved = await store.UpdateActivityAsync(profile, entries, context.CancellationToken).ConfigureAwait(false);
            return new Dictionary<string, object?> { ["updated"] = (long)moved, ["entries"] = (long)entries.Count };
        }
    }

    private sealed class CandidatesHandler(SamStore store) : IStepHandler
    {
        public StepTypeDescriptor Descriptor => CreateCandidates;

        public async ValueTask<object?> ExecuteAsync(StepContext context)
        {
            var profile = Profile(context);
            context.RecordInputs(new Dictionary<string, object?> { ["profile"] = profile.ToString() });
            var (created, canceled) = await store.EvaluateCandidatesAsync(profile, context.CancellationToken).ConfigureAwait(false);
            return new Dictionary<string, object?> { ["created"] = (long)created, ["canceled"] = (long)canceled };
        }
    }
}
