using FlowEngine.Scheduling.Schema;

namespace FlowEngine.PostgreSql.Tests;

public sealed class SchemaScriptTests
{
    [Fact]
    public void PostgreSqlScript_IsQuartzsOwnScriptForThisVersion_AndOnlyCreates()
    {
        // The embedded script is a copy of the one Quartz.dll carries for SchemaProvisioning.CreateIfMissing;
        // a Quartz upgrade that changes its schema fails here until the copy is refreshed.
        var quartz = typeof(Quartz.IScheduler).Assembly;
        using var stream = quartz.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_postgres.sql");
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream);

        Assert.Equal(reader.ReadToEnd().ReplaceLineEndings("\n"), PostgreSqlSchema.ReadScript().ReplaceLineEndings("\n"));
        Assert.All(PostgreSqlSchema.Statements(), s =>
        {
            Assert.DoesNotContain("DROP ", s, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("IF NOT EXISTS", s, StringComparison.Ordinal);
            Assert.Contains("qrtz_", s, StringComparison.Ordinal);
        });
    }
}
