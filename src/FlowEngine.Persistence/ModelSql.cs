using System.Data.Common;
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
        await using var once = Repeat(sql, parameters);
        return await once.ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A statement run many times with new values (one row each): its parameters are made once, typed by
    /// <paramref name="parameters"/>' properties, and only their values change, so SQLite keeps it prepared and each
    /// run binds a few values instead of building a command.
    /// </summary>
    public Repeated Repeat(string sql, params Parameter[] parameters)
    {
        var command = Command(sql, parameters, out var mappings);
        return new Repeated(command, mappings);
    }

    /// <summary>Runs a query; returns its rows, each made by <paramref name="read"/>.</summary>
    public async Task<List<TRow>> ListAsync<TRow>(string sql, Func<DbDataReader, TRow> read, CancellationToken cancellationToken, params Parameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var command = Command(sql, parameters, out _);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Runs a query whose first column of its first row is a number (a count); returns it.</summary>
    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken, params Parameter[] parameters)
    {
        await using var command = Command(sql, parameters, out _);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    // A command on the context's connection and current transaction, its parameters typed by their properties' mappings.
    private DbCommand Command(string sql, Parameter[] parameters, out RelationalTypeMapping[] mappings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        mappings = new RelationalTypeMapping[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            mappings[i] = (RelationalTypeMapping)parameters[i].Property.GetRelationalTypeMapping();
            command.Parameters.Add(mappings[i].CreateParameter(command, parameters[i].Name, parameters[i].Value, parameters[i].Property.IsNullable));
        }

        return command;
    }

    /// <summary>A value as the provider takes it for a parameter of this mapping: what <see cref="RelationalTypeMapping.CreateParameter"/> sets.</summary>
    public static object ProviderValue(RelationalTypeMapping mapping, object? value)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        if (value is Enum && mapping.Converter is null)
        {
            // EF writes an enum without a converter as its number.
            value = Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture);
        }

        return (mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value) ?? DBNull.Value;
    }

    /// <summary>A statement made by <see cref="Repeat"/>.</summary>
    public sealed class Repeated : IAsyncDisposable
    {
        private readonly DbCommand _command;
        private readonly RelationalTypeMapping[] _mappings;

        internal Repeated(DbCommand command, RelationalTypeMapping[] mappings)
        {
            _command = command;
            _mappings = mappings;
        }

        /// <summary>How many parameters it has.</summary>
        public int Count => _mappings.Length;

        /// <summary>Gives parameter <paramref name="index"/> (in the order they were given) a new value, converted as its property stores it.</summary>
        public void Set(int index, object? value) => _command.Parameters[index].Value = ProviderValue(_mappings[index], value);

        /// <summary>Runs it with these values, in the order its parameters were given (none: the values it has); returns the rows it changed.</summary>
        public async Task<int> ExecuteAsync(CancellationToken cancellationToken, params object?[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            for (var i = 0; i < values.Length; i++)
            {
                Set(i, values[i]);
            }

            return await _command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <inheritdoc />
        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }

    private IEntityType Entity<T>() => db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
}
