using FlowEngine.Definitions.Schema;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Definitions.Tests;

public sealed class ShippedFlowsTests
{
    [Fact]
    public void Load_EveryShippedFlow_HasNoDiagnostics()
    {
        var files = FlowLoader.FindFiles([TestPaths.Flows]);
        Assert.NotEmpty(files);
        var result = new FlowLoader(LicenseManagement.LicenseStepTypes.Catalog()).Load([TestPaths.Flows]);
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        Assert.Equal(files.Count, result.Definitions.Count);
    }

    [Fact]
    public void ShippedSchema_MatchesTheRegisteredStepTypes()
    {
        var committed = File.ReadAllText(Path.Combine(TestPaths.Flows, SchemaGenerator.FileName));
        var generated = SchemaGenerator.Generate(LicenseManagement.LicenseStepTypes.Catalog());
        Assert.True(committed == generated, $"flows/{SchemaGenerator.FileName} is stale; run: dotnet run --project src/FlowEngine.Cli -- schema --write flows/{SchemaGenerator.FileName}");
        foreach (var type in LicenseManagement.LicenseStepTypes.Catalog().Types)
        {
            Assert.Contains($"\"step_{type.Keyword}\"", committed, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryShippedYamlFile_NamesTheSchemaForEditors()
    {
        foreach (var file in FlowLoader.FindFiles([TestPaths.Flows]).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            var first = File.ReadLines(file).First();
            Assert.StartsWith("# yaml-language-server: $schema=", first, StringComparison.Ordinal);
            var relative = first["# yaml-language-server: $schema=".Length..];
            var schema = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, relative));
            Assert.True(File.Exists(schema), $"{file} points at {relative}, which does not exist");
        }
    }
}
