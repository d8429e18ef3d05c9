using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.Persistence;

/// <summary>One column of an entity's table as <see cref="RowReader{T}"/> and <see cref="RowUpsert{T}"/> use it.</summary>
/// <param name="Property">The EF property.</param>
/// <param name="Mapping">Its type mapping (parameters and value conversion).</param>
/// <param name="Name">The column name, quoted for the provider.</param>
internal sealed record ModelColumn(IProperty Property, RelationalTypeMapping Mapping, string Name);

/// <summary>
/// An entity's table from the EF model, with the columns of the properties a row reader or writer was given delegates
/// for; the delegates and the model must name the same properties, so a property added to one only is refused at once.
/// </summary>
internal sealed record ModelTable(IEntityType Entity, string Name, IReadOnlyList<ModelColumn> Columns, ISqlGenerationHelper Sql, StoreObjectIdentifier Table)
{
    /// <exception cref="InvalidOperationException">The entity is not in the model, or the delegates and the model disagree.</exception>
    public static ModelTable For<T>(DbContext db, IEnumerable<string> given, string role, Func<IProperty, bool>? include = null)
    {
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var sql = db.GetService<ISqlGenerationHelper>();
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().Where(include ?? (_ => true)).ToList();
        var names = given.ToList();
        var missing = properties.Select(p => p.Name).Except(names).Concat(names.Except(properties.Select(p => p.Name))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"the {role} of {typeof(T).Name} and the EF model disagree on {string.Join(", ", missing)}; give every mapped property one");
        }

        var columns = properties.Select(p => new ModelColumn(p, (RelationalTypeMapping)p.GetRelationalTypeMapping(), sql.DelimitIdentifier(p.GetColumnName(table)!))).ToList();
        return new ModelTable(entity, sql.DelimitIdentifier(table.Name, table.Schema), columns, sql, table);
    }
}
