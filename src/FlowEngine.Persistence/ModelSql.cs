using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.Persistence;

/// <summary>
/// Plain SQL statements on a context's connection and current transaction, with table names from the EF model and
/// each parameter typed and converted by the mapping of the property it is compared with or written to, so a value is
/// stored exactly as EF stores it (a Guid as SQLite's text or PostgreSQL's uuid, an enum as its name, a time as UTC
/// ticks). For a hot path where EF's change tracking or query pipeline costs more than the statement.
/// </summary>
/// <param name="db">The context; its connection should be open, and a transaction begun when several statements must hold together.</param>
public sealed class ModelSql(DbContext db)
{
    /// <summary>A value for a statement: the parameter's name and the property whose mapping converts it.</summary>
    public readonly record struct Parameter(IProperty Property, string Name, object? Value);

    /// <summary>The table of <typeparamref name="T"/>, quoted for the provider.</summary>
    public string Table<T>()
    {
        var entity = Entity<T>();
        return db.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
    }

    /// <summary>A parameter <paramref name="name"/> holding <paramref name="value"/> as the property <paramref name="property"/> of <typeparamref name="T"/> stores it.</summary>
    /// <exception cref="InvalidOperationException">No such property.</exception>
    public Parameter Value<T>(string property, string name, object? value) =>
        new(Entity<T>().FindProperty(property) ?? throw new InvalidOperationException($"{typeof(T).Name} has no property {property}"), name, value);

    /// <summary>Runs the statement(s); returns the rows they changed, summed.</summary>
    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params Parameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        foreach (var parameter in parameters)
        {
            var mapping = (RelationalTypeMapping)parameter.Property.GetRelationalTypeMapping();
            command.Parameters.Add(mapping.CreateParameter(command, parameter.Name, parameter.Value, parameter.Property.IsNullable));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private IEntityType Entity<T>() => db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
}
