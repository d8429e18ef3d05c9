using System.Reflection;

namespace FlowEngine.Scheduling.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_NamesNoQuartzType()
    {
        var leaks = new List<string>();
        foreach (var type in typeof(JobScheduler).Assembly.GetExportedTypes())
        {
            Check(type.BaseType, $"{type.Name} base");
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                switch (member)
                {
                    case MethodBase method:
                        Check((method as MethodInfo)?.ReturnType, $"{type.Name}.{method.Name}");
                        foreach (var parameter in method.GetParameters())
                        {
                            Check(parameter.ParameterType, $"{type.Name}.{method.Name}({parameter.Name})");
                        }

                        break;
                    case PropertyInfo property:
                        Check(property.PropertyType, $"{type.Name}.{property.Name}");
                        break;
                    case FieldInfo field:
                        Check(field.FieldType, $"{type.Name}.{field.Name}");
                        break;
                }
            }

            foreach (var implemented in type.GetInterfaces())
            {
                Check(implemented, $"{type.Name} implements");
            }
        }

        Assert.Empty(leaks);
        Assert.Equal(
            ["IJobHandler", "JobScheduler", "JobSpec", "ScheduledJob", "SchedulerOptions"],
            typeof(JobScheduler).Assembly.GetExportedTypes().Select(t => t.Name).Order(StringComparer.Ordinal));

        void Check(Type? type, string where)
        {
            if (type is null)
            {
                return;
            }

            if (type.Namespace?.StartsWith("Quartz", StringComparison.Ordinal) == true)
            {
                leaks.Add($"{where}: {type.FullName}");
            }

            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
            {
                Check(argument, where);
            }

            if (type.HasElementType)
            {
                Check(type.GetElementType(), where);
            }
        }
    }
}
