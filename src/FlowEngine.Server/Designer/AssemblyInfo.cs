using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("FlowEngine.Designer.Tests")]
