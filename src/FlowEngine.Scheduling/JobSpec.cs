namespace FlowEngine.Scheduling;

/// <summary>
/// A job to schedule: a name and group that identify it, a Quartz cron expression, and the string data the
/// handler receives when it fires.
/// </summary>
/// <param name="Name">The job's name, unique within its group.</param>
/// <param name="Group">The job's group, for example the integration profile or <c>flows</c>.</param>
/// <param name="Cron">
/// A Quartz cron expression with seconds first, e.g. <c>0 0 2 * * ?</c> for 02:00 every day.
/// </param>
/// <param name="Data">What the handler needs to start the run (flow id, profile, inputs), as strings.</param>
public sealed record JobSpec(string Name, string Group, string Cron, IReadOnlyDictionary<string, string> Data)
{
    /// <summary>Shown in lists.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// The time zone the cron expression is read in: an IANA id such as <c>Europe/Paris</c>, or <c>UTC</c>.
    /// </summary>
    /// <value>Defaults to <c>UTC</c>.</value>
    public string TimeZone { get; init; } = "UTC";
}

/// <summary>A job as the scheduler holds it, with the times its trigger fired last and fires next.</summary>
/// <param name="Name">The job's name.</param>
/// <param name="Group">The job's group.</param>
/// <param name="Cron">The cron expression, as it was given.</param>
/// <param name="NextFire">The next scheduled fire, in UTC; <see langword="null"/> when it will not fire again.</param>
/// <param name="PreviousFire">The last scheduled fire, in UTC; <see langword="null"/> before the first.</param>
/// <param name="Data">The job's data.</param>
/// <param name="Description">The job's description.</param>
public sealed record ScheduledJob(
    string Name,
    string Group,
    string Cron,
    DateTimeOffset? NextFire,
    DateTimeOffset? PreviousFire,
    IReadOnlyDictionary<string, string> Data,
    string? Description)
{
    /// <summary>The time zone the cron expression is read in.</summary>
    public string TimeZone { get; init; } = "UTC";
}
