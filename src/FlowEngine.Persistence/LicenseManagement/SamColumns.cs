namespace FlowEngine.Persistence.LicenseManagement;

/// <summary>How to read each column of the license tables the row writer (<see cref="RowUpsert{T}"/>) writes in bulk.</summary>
public static class SamColumns
{
    /// <summary>Every mapped property of a removal candidate.</summary>
    public static readonly IReadOnlyDictionary<string, Func<RemovalCandidateEntity, object?>> Candidates = new Dictionary<string, Func<RemovalCandidateEntity, object?>>
    {
        [nameof(RemovalCandidateEntity.Id)] = c => c.Id,
        [nameof(RemovalCandidateEntity.Number)] = c => c.Number,
        [nameof(RemovalCandidateEntity.ProfileId)] = c => c.ProfileId,
        [nameof(RemovalCandidateEntity.SubscriptionId)] = c => c.SubscriptionId,
        [nameof(RemovalCandidateEntity.ExternalUserId)] = c => c.ExternalUserId,
        [nameof(RemovalCandidateEntity.UserPrincipalName)] = c => c.UserPrincipalName,
        [nameof(RemovalCandidateEntity.State)] = c => c.State,
        [nameof(RemovalCandidateEntity.RuleId)] = c => c.RuleId,
        [nameof(RemovalCandidateEntity.ThresholdDays)] = c => c.ThresholdDays,
        [nameof(RemovalCandidateEntity.LastActivity)] = c => c.LastActivity,
        [nameof(RemovalCandidateEntity.ErrorMessage)] = c => c.ErrorMessage,
        [nameof(RemovalCandidateEntity.CreatedAt)] = c => c.CreatedAt,
        [nameof(RemovalCandidateEntity.UpdatedAt)] = c => c.UpdatedAt,
    };

    /// <summary>Every mapped property of a candidate history row but its key, which the database numbers.</summary>
    public static readonly IReadOnlyDictionary<string, Func<CandidateHistoryEntity, object?>> History = new Dictionary<string, Func<CandidateHistoryEntity, object?>>
    {
        [nameof(CandidateHistoryEntity.CandidateId)] = h => h.CandidateId,
        [nameof(CandidateHistoryEntity.From)] = h => h.From,
        [nameof(CandidateHistoryEntity.To)] = h => h.To,
        [nameof(CandidateHistoryEntity.By)] = h => h.By,
        [nameof(CandidateHistoryEntity.Why)] = h => h.Why,
        [nameof(CandidateHistoryEntity.At)] = h => h.At,
    };
}
